/**
 * Keeps the last lines a worker wrote to stderr, bounded in lines and bytes,
 * so errors can quote them without the buffer growing with a chatty worker.
 */
export class StderrTail {
  private lines: string[] = [];
  private partial = '';
  private bytes = 0;

  constructor(
    private readonly maxLines = 200,
    private readonly maxBytes = 64 * 1024,
  ) {}

  /** Adds raw text and returns the complete lines it finished. */
  push(text: string): string[] {
    const parts = (this.partial + text).split(/\r?\n/);
    this.partial = (parts.pop() ?? '').slice(-this.maxBytes);
    for (const line of parts) this.add(line);
    return parts;
  }

  /** The last `count` lines, joined, for an error message. */
  tail(count = 20): string {
    const lines = this.partial ? [...this.lines, this.partial] : this.lines;
    return lines.slice(-count).join('\n');
  }

  private add(line: string): void {
    this.lines.push(line);
    this.bytes += line.length;
    while (this.lines.length > this.maxLines || this.bytes > this.maxBytes) {
      this.bytes -= (this.lines.shift() ?? '').length;
    }
  }
}
