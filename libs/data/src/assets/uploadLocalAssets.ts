import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Db } from '../openDatabase.js';
import type { AssetBackend } from './assetBackend.js';
import type { LocalAssetBackend } from './localAssetBackend.js';

/** Records read per page: memory holds one page and one file's stream, never every asset. */
const PAGE = 200;

export interface LocalAssetsUploaded {
  uploaded: number;
  /** Assets whose file the folder does not hold: their records still point at the folder. */
  missing: string[];
}

/**
 * Moves the bytes of every asset whose record points at a folder (`local:`) into `to` (the bucket), and
 * the record with them, so replicas sharing the bucket read what one server kept on its own disk. The
 * folder is only read: each file is copied aside, then committed (the bucket keeps bytes it already
 * holds, checked). For `nodetool db copy` into a database whose servers use a bucket.
 */
export async function uploadLocalAssets(
  db: Db,
  from: LocalAssetBackend,
  to: AssetBackend,
  progress: (done: number) => void = () => undefined,
): Promise<LocalAssetsUploaded> {
  const aside = await mkdtemp(join(tmpdir(), 'nt-asset-upload-'));
  const result: LocalAssetsUploaded = { uploaded: 0, missing: [] };
  try {
    for (let after = ''; ;) {
      const rows = await db.query
        .selectFrom('assets')
        .select(['id', 'content_type', 'size', 'location'])
        .where('location', 'like', 'local:%')
        .where('id', '>', after)
        .orderBy('id')
        .limit(PAGE)
        .execute();
      if (!rows.length) return result;
      for (const row of rows) {
        after = row.id;
        const copy = join(aside, row.id);
        try {
          await pipeline(await from.read(row.location), createWriteStream(copy));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          result.missing.push(row.id);
          continue;
        }
        const location = await to.commit(copy, row.id, row.content_type, Number(row.size), false);
        await db.query.updateTable('assets').set({ location }).where('id', '=', row.id).execute();
        progress(++result.uploaded);
      }
    }
  } finally {
    await rm(aside, { recursive: true, force: true });
  }
}
