import { FINAL_JOB_STATUSES, LIVE_JOB_STATUSES } from '@nt/api-contract';
import type { AssetStore } from '../assets/assetStore.js';
import type { Db } from './database.js';

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
  constructor(
    private readonly db: Db,
    private readonly assets: AssetStore,
    readonly policy: RetentionPolicy,
  ) {}

  async sweep(now = Date.now()): Promise<SweepOutcome> {
    const expired = this.expiredRuns(now);
    const forgetRuns = this.db.transaction((ids: string[]) => {
      const refs = this.db.prepare('DELETE FROM asset_refs WHERE job_id = ?');
      const jobs = this.db.prepare('DELETE FROM jobs WHERE id = ?');
      for (const id of ids) {
        refs.run(id);
        jobs.run(id);
      }
    });
    for (let at = 0; at < expired.length; at += 500) forgetRuns(expired.slice(at, at + 500));
    const uploads = this.expireUploads(now);
    const assets = await this.assets.deleteUnheld();
    return { runs: expired.length, uploads, assets };
  }

  private expiredRuns(now: number): string[] {
    const finished = `finished_at IS NOT NULL AND status IN (${placeholders(FINAL_JOB_STATUSES)})`;
    if (this.policy.keep === 'age')
      return this.db
        .prepare(`SELECT id FROM jobs WHERE ${finished} AND created_at < ?`)
        .pluck()
        .all(...FINAL_JOB_STATUSES, new Date(now - this.policy.ms).toISOString()) as string[];
    return this.db
      .prepare(`SELECT id FROM jobs WHERE ${finished} ORDER BY created_at DESC LIMIT -1 OFFSET ?`)
      .pluck()
      .all(...FINAL_JOB_STATUSES, this.policy.count) as string[];
  }

  /**
   * Uploads past the age (or older than every run kept, once as many runs as the count are kept), except
   * those a saved workflow or a run still waiting or running refers to. With fewer runs than the count,
   * no upload is old enough: an upload made for a first run is never lost before it.
   */
  private expireUploads(now: number): number {
    const cutoff =
      this.policy.keep === 'age'
        ? new Date(now - this.policy.ms).toISOString()
        : (this.db
            .prepare('SELECT created_at FROM jobs ORDER BY created_at DESC LIMIT 1 OFFSET ?')
            .pluck()
            .get(this.policy.count - 1) as string | undefined);
    if (cutoff === undefined) return 0;
    return this.db
      .prepare(
        `DELETE FROM asset_refs WHERE job_id IS NULL AND created_at < ?
         AND NOT EXISTS (SELECT 1 FROM workflows w WHERE instr(w.document, asset_refs.asset_id) > 0)
         AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.status IN (${placeholders(LIVE_JOB_STATUSES)}) AND instr(j.params, asset_refs.asset_id) > 0)`,
      )
      .run(cutoff, ...LIVE_JOB_STATUSES).changes;
  }
}

const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ');
