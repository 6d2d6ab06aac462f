import type { AssetStore } from '../assets/assetStore.js';
import { JobStore, type Db } from '@nt/data';

/** NODETOOL_RETENTION: keep runs younger than an age, or the newest so many; null keeps everything. */
export type RetentionPolicy = { keep: 'age'; ms: number; text: string } | { keep: 'runs'; count: number; text: string };

/** "30d", "12h", "45m" or a run count ("1000"), above 0; anything else is null (the caller names the setting). */
export function parseRetention(text: string): RetentionPolicy | null {
  const value = text.trim();
  const age = /^(\d+)(d|h|m)$/.exec(value);
  if (age && Number(age[1]) > 0)
    return { keep: 'age', ms: Number(age[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[age[2] as 'd' | 'h' | 'm'], text: value };
  if (/^\d+$/.test(value) && Number(value) > 0) return { keep: 'runs', count: Number(value), text: value };
  return null;
}

export interface SweepOutcome {
  runs: number;
  uploads: number;
  assets: number;
}

/**
 * Deletes what NODETOOL_RETENTION no longer keeps: finished runs past it (never a queued or running
 * one), uploads older than the oldest run kept (unless a saved workflow names them), then every asset
 * nobody holds any more, from the database and from storage. Each step is safe to stop half-way.
 */
export class Retention {
  private readonly jobs: JobStore;

  constructor(
    db: Db,
    private readonly assets: AssetStore,
    readonly policy: RetentionPolicy,
  ) {
    this.jobs = new JobStore(db);
  }

  async sweep(now = Date.now()): Promise<SweepOutcome> {
    const expired =
      this.policy.keep === 'age'
        ? await this.jobs.endedBefore(new Date(now - this.policy.ms).toISOString())
        : await this.jobs.endedBeyondNewest(this.policy.count);
    for (let at = 0; at < expired.length; at += 500) await this.jobs.forget(expired.slice(at, at + 500));
    const uploads = await this.expireUploads(now);
    const assets = await this.assets.deleteUnheld();
    return { runs: expired.length, uploads, assets };
  }

  /**
   * Uploads past the age (or older than every run kept, once as many runs as the count are kept), except
   * those a saved workflow or a run still waiting or running refers to. With fewer runs than the count,
   * no upload is old enough: an upload made for a first run is never lost before it.
   */
  private async expireUploads(now: number): Promise<number> {
    const cutoff = this.policy.keep === 'age' ? new Date(now - this.policy.ms).toISOString() : await this.jobs.createdAtOfNewest(this.policy.count - 1);
    if (cutoff === undefined) return 0;
    return this.assets.records.releaseUploadsBefore(cutoff);
  }
}
