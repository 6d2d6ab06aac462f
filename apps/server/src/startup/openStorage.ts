import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssetStore } from '../assets/assetStore.js';
import type { ServerConfig } from '../config.js';
import { finishMigrations, LocalAssetBackend, openDatabase, S3AssetBackend, type Db } from '@nt/data';

/** How old an unfinished multipart upload to the bucket is before the server aborts it at start. */
const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;

/**
 * The server's storage, ready: the database migrated, the asset store over it (a folder, and the bucket
 * when one is set), what a previous process left half done cleaned up.
 */
export async function openStorage(config: ServerConfig, log: (line: string) => void): Promise<{ db: Db; assets: AssetStore }> {
  // Next to the database (a throwaway one: a temporary directory), unless NODETOOL_ASSETS_DIR says where.
  const assetsDir = config.assets.dir ?? (config.dataDir === null ? mkdtempSync(join(tmpdir(), 'nt-assets-')) : join(config.dataDir, 'assets'));
  const localAssets = new LocalAssetBackend(assetsDir);
  const swept = await localAssets.sweepTemporary();
  if (swept) log(`removed ${swept} unfinished asset file(s) a previous process left`);
  // With a bucket, new assets go there; the folder stays readable for the ones kept before.
  const bucket = config.assets.s3 ? new S3AssetBackend(config.assets.s3) : null;
  // Uploads a day old belong to no live process (a grant lives minutes; a server's own upload, hours at most).
  void bucket
    ?.abortStaleUploads(new Date(Date.now() - STALE_UPLOAD_MS))
    .then((aborted) => aborted && log(`aborted ${aborted} unfinished upload(s) to the bucket a previous process left`))
    .catch((error: Error) => log(`could not list unfinished uploads in the bucket: ${error.message}`));
  const db = await openDatabase(config.database);
  const assets = new AssetStore(db, {
    backend: bucket ?? localAssets,
    backends: bucket ? [localAssets, bucket] : [localAssets],
    tmpDir: localAssets.tmpDir,
    limits: config.assets.limits,
    urlTtlSeconds: config.assets.urlTtlSeconds,
  });
  // Results stored inline by an older release move into the store, now that it exists.
  await finishMigrations(db, { assets });
  return { db, assets };
}
