import { isTextChunk, type RunEvent } from '@nt/runtime';
import type { LiveProgress } from './liveProgress.js';

/**
 * On a terminal, the text chunks a Preview or Output receives (an LLM's tokens) are printed as they
 * arrive, after the sink's name, and the line ends when that sink is done. The live progress lines on
 * stderr step aside meanwhile, so the two never write over each other.
 */
export class StreamedText {
  private open: { nodeId: string; name: string } | null = null;

  constructor(
    private readonly write: (text: string) => void,
    private readonly progress: LiveProgress | null,
  ) {}

  handle(event: RunEvent): void {
    if (event.type === 'output_update' && event.item !== undefined && isTextChunk(event.value)) {
      if (this.open?.nodeId !== event.node_id) {
        this.end();
        this.progress?.pause();
        this.write(`${event.node_name}: `);
        this.open = { nodeId: event.node_id, name: event.node_name };
      }
      this.write(event.value.content);
      return;
    }
    if (event.type === 'node_update' && event.status !== 'running' && event.node_id === this.open?.nodeId) this.end();
    else if (event.type === 'job_update' && event.status !== 'running') this.end();
  }

  /** Ends the line being streamed, if any. */
  end(): void {
    if (!this.open) return;
    this.write('\n');
    this.open = null;
    this.progress?.resume();
  }
}
