import type { ModelDownloadProgress } from '@nt/runtime';
import { formatBytes, formatSeconds } from '@nt/display';

// Rate over the last few seconds: a stall shows at once, a burst does not promise the moon.
const WINDOW_MS = 3000;

/** Turns a download's progress frames into one line: bar, bytes, files, rate and ETA. */
export class DownloadMeter {
  private readonly samples: Array<{ at: number; bytes: number }> = [];
  private readonly startedAt: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.startedAt = now();
  }

  /** Bytes per second over the recent window (0 until two samples exist). */
  rate(progress: Pick<ModelDownloadProgress, 'downloaded_bytes'>): number {
    const at = this.now();
    this.samples.push({ at, bytes: progress.downloaded_bytes });
    while (this.samples.length > 2 && at - (this.samples[0] as { at: number }).at > WINDOW_MS) this.samples.shift();
    const first = this.samples[0] as { at: number; bytes: number };
    const seconds = (at - first.at) / 1000;
    return seconds > 0 ? Math.max(0, (progress.downloaded_bytes - first.bytes) / seconds) : 0;
  }

  elapsedSeconds(): number {
    return (this.now() - this.startedAt) / 1000;
  }

  line(progress: ModelDownloadProgress, width = 24): string {
    const name = progress.path ? `${progress.repo_id}:${progress.path}` : progress.repo_id;
    if (progress.status === 'completed') return `✓ ${name}  ${formatBytes(progress.total_bytes)} in ${formatSeconds(this.elapsedSeconds())}`;
    if (progress.status === 'cancelled') return `- ${name}  cancelled`;
    if (progress.status === 'error') return `✗ ${name}  ${progress.error ?? 'failed'}`;
    const rate = this.rate(progress);
    const fraction = progress.total_bytes > 0 ? Math.min(1, progress.downloaded_bytes / progress.total_bytes) : 0;
    const filled = Math.round(fraction * width);
    const eta = rate > 0 ? formatSeconds((progress.total_bytes - progress.downloaded_bytes) / rate) : '?';
    return (
      `⇣ ${name}  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(fraction * 100)}%  ` +
      `${formatBytes(progress.downloaded_bytes)}/${formatBytes(progress.total_bytes)}  ` +
      `${progress.downloaded_files}/${progress.total_files} files  ${formatBytes(rate)}/s  ETA ${eta}`
    );
  }
}
