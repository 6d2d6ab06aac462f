import { spawn } from 'node:child_process';

export interface TerminalRun {
  code: number | null;
  /** Everything the terminal showed. */
  output: string;
  /** When each part arrived, and all that had arrived by then. */
  seen: Array<{ at: number; text: string }>;
}

/**
 * TEST HELPER: runs a command on a pseudo-terminal (util-linux `script`), as a person's shell would, so
 * its stdout is a TTY; records when each part of what it printed arrived.
 */
export function onTerminal(command: string[], env: NodeJS.ProcessEnv): Promise<TerminalRun> {
  const line = command.map((part) => `'${part.replaceAll("'", `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', line, '/dev/null'], { env });
  const seen: Array<{ at: number; text: string }> = [];
  let output = '';
  child.stdout.on('data', (data: Buffer) => {
    output += data.toString();
    seen.push({ at: Date.now(), text: output });
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output, seen })));
}

/** Milliseconds between the first time `first` was on the terminal and the first time `last` was. */
export function gapBetween(run: TerminalRun, first: string, last: string): number {
  const firstAt = run.seen.find((entry) => entry.text.includes(first))?.at;
  const lastAt = run.seen.find((entry) => entry.text.includes(last))?.at;
  if (firstAt === undefined || lastAt === undefined) throw new Error(`the terminal never showed ${firstAt === undefined ? first : last}:\n${run.output}`);
  return lastAt - firstAt;
}
