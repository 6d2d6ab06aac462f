import type { ModelDownloadProgress, RunEvent } from '@nt/runtime';
import { DownloadMeter } from './downloadMeter.js';

/** A line per download of a run, each with its own rate and ETA. */
export class DownloadLines {
  private readonly meters = new Map<string, DownloadMeter>();

  line(progress: ModelDownloadProgress): string {
    const key = `${progress.repo_id}:${progress.path ?? ''}`;
    let meter = this.meters.get(key);
    if (!meter) this.meters.set(key, (meter = new DownloadMeter()));
    return meter.line(progress);
  }
}

/**
 * On a terminal, keeps one line per running node (and per model being downloaded before the
 * run) on stderr, rewritten in place as progress arrives; finished ones stay as a final line each.
 */
export class LiveProgress {
  private readonly running = new Map<string, string>();
  private readonly downloads = new DownloadLines();
  private drawn = 0;
  /** While text streams to the terminal, nothing is drawn (the cursor is the text's); finished lines wait. */
  private paused = false;
  private readonly held: string[] = [];

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly labels: Map<string, string>,
  ) {}

  handle(event: RunEvent): void {
    if (event.type === 'node_update') {
      const label = this.labels.get(event.node_id) ?? event.node_id;
      if (event.status === 'running') this.running.set(event.node_id, `… ${label}`);
      else {
        this.running.delete(event.node_id);
        const mark = event.status === 'completed' ? '✓' : event.status === 'failed' ? '✗' : '-';
        const detail = event.error ? `: ${event.error.split('\n')[0]}` : event.duration_ms !== undefined ? ` (${event.duration_ms} ms)` : '';
        this.redraw(`${mark} ${label}${detail}`);
        return;
      }
    } else if (event.type === 'model_download') {
      const key = `download:${event.repo_id}:${event.path ?? ''}`;
      const line = this.downloads.line(event);
      if (event.status === 'start' || event.status === 'progress') this.running.set(key, line);
      else {
        this.running.delete(key);
        this.redraw(line);
        return;
      }
    } else if (event.type === 'node_progress') {
      const label = this.labels.get(event.node_id) ?? event.node_id;
      const percent = event.total > 0 ? Math.round((100 * event.progress) / event.total) : 0;
      this.running.set(event.node_id, `… ${label} ${event.progress}/${event.total} (${percent}%)`);
    } else {
      return;
    }
    this.redraw();
  }

  /** Text is about to stream on the terminal: the running lines go, and nothing is drawn until resume(). */
  pause(): void {
    if (this.paused) return;
    if (this.drawn > 0) this.stream.write(`\x1b[${this.drawn}F\x1b[J`);
    this.drawn = 0;
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const line of this.held.splice(0)) this.stream.write(`${line}\n`);
    this.redraw();
  }

  private redraw(finished?: string): void {
    if (this.paused) {
      if (finished) this.held.push(finished);
      return;
    }
    if (this.drawn > 0) this.stream.write(`\x1b[${this.drawn}F\x1b[J`);
    if (finished) this.stream.write(`${finished}\n`);
    const lines = [...this.running.values()];
    for (const line of lines) this.stream.write(`${line}\n`);
    this.drawn = lines.length;
  }
}
