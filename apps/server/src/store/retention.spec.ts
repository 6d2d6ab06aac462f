import { describe, expect, it } from 'vitest';
import { FINAL_JOB_STATUSES } from '@nt/api-contract';
import type { AssetStore } from '../assets/assetStore.js';
import { AssetRecords, type Db, JobStore, openDatabase } from '@nt/data';
import { parseRetention, Retention } from './retention.js';

describe('NODETOOL_RETENTION', () => {
  it('reads an age in days, hours or minutes, or a count of runs', () => {
    expect(parseRetention('30d')).toEqual({ keep: 'age', ms: 30 * 86_400_000, text: '30d' });
    expect(parseRetention('12h')).toEqual({ keep: 'age', ms: 12 * 3_600_000, text: '12h' });
    expect(parseRetention(' 45m ')).toEqual({ keep: 'age', ms: 45 * 60_000, text: '45m' });
    expect(parseRetention('1000')).toEqual({ keep: 'runs', count: 1000, text: '1000' });
  });

  it('reads nothing else, and no zero of either kind (the server names the setting and refuses to start)', () => {
    for (const text of ['0', '0d', '0h', '0m', '30 days', '1w', '-5', 'forever', '1.5d', '']) expect(parseRetention(text), text).toBeNull();
  });
});

const HOUR = 3_600_000;
const sha = (n: number) => n.toString(16).padStart(64, '0');

/** A database with runs and uploads at chosen times, and retention over it (assets are counted, not deleted from storage). */
async function world() {
  const db: Db = await openDatabase({ kind: 'sqlite', path: ':memory:' });
  const sqlite = db.sqlite as NonNullable<Db['sqlite']>;
  const jobs = new JobStore(db);
  const records = new AssetRecords(db);
  const deleteUnheld = async () => {
    let deleted = 0;
    for (const info of await records.unheld(1000)) if (await records.forget(info.id)) deleted++;
    return deleted;
  };
  const assets = { records, deleteUnheld } as unknown as AssetStore;
  const at = (ms: number) => new Date(ms).toISOString();
  return {
    db,
    async run(id: string, status: string, createdAt: number, params: Record<string, unknown> = {}) {
      await jobs.create({ id, workflow_id: 'w', graph: { nodes: [], edges: [] }, params }, 'queued');
      sqlite.prepare('UPDATE jobs SET created_at = ? WHERE id = ?').run(at(createdAt), id);
      if (status !== 'queued') await jobs.finish(id, status as 'completed', null, null);
    },
    async upload(id: string, createdAt: number) {
      await records.keep(
        { id, content_type: 'image/png', size: 1, location: `local:${id}`, created_at: at(createdAt) },
        { jobId: null, nodeId: null, name: 'upload' },
      );
    },
    jobIds: () => sqlite.prepare('SELECT id FROM jobs ORDER BY id').pluck().all() as string[],
    assetIds: () => sqlite.prepare('SELECT id FROM assets ORDER BY id').pluck().all() as string[],
    sweep: (policy: string, now: number) => new Retention(db, assets, parseRetention(policy)!).sweep(now),
  };
}

describe('Retention', () => {
  it('deletes a finished run past the age whatever way it ended, interrupted too; never a queued one', async () => {
    const now = Date.now();
    const { run, sweep, jobIds } = await world();
    for (const status of FINAL_JOB_STATUSES) await run(`old-${status}`, status, now - 48 * HOUR);
    await run('old-queued', 'queued', now - 48 * HOUR);
    await run('new-completed', 'completed', now - HOUR);
    expect(await sweep('24h', now)).toMatchObject({ runs: FINAL_JOB_STATUSES.length });
    expect(jobIds()).toEqual(['new-completed', 'old-queued']);
  });

  it('by run count, keeps an upload made before the first run, and any upload until that many runs exist', async () => {
    const now = Date.now();
    const { run, upload, sweep, assetIds } = await world();
    await upload(sha(1), now - 48 * HOUR);
    expect(await sweep('2', now)).toEqual({ runs: 0, uploads: 0, assets: 0 });
    await run('a', 'completed', now - 10 * HOUR);
    expect(await sweep('2', now)).toEqual({ runs: 0, uploads: 0, assets: 0 });
    expect(assetIds()).toEqual([sha(1)]);
    // Two runs kept, both newer than the upload: now it is older than every run kept.
    await run('b', 'completed', now - 5 * HOUR);
    await upload(sha(2), now - 1000);
    expect(await sweep('2', now)).toEqual({ runs: 0, uploads: 1, assets: 1 });
    expect(assetIds()).toEqual([sha(2)]);
  });

  it('keeps an upload a waiting run takes as its input, however old', async () => {
    const now = Date.now();
    const { run, upload, sweep, assetIds } = await world();
    await upload(sha(3), now - 72 * HOUR);
    await run('waits', 'queued', now - HOUR, { photo: { type: 'asset', id: sha(3) } });
    expect(await sweep('24h', now)).toMatchObject({ uploads: 0 });
    expect(assetIds()).toEqual([sha(3)]);
  });
});
