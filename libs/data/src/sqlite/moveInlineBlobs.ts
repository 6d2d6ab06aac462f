import type Database from 'better-sqlite3';
import type { AssetRef } from '@nt/api-contract';

/** Where the moved bytes go: the server's asset store (named by its shape, so the store does not import the assets). */
export interface InlineBytesImporter {
  importBytes(bytes: Uint8Array, holder: { jobId: string; nodeId: string | null; name: string }): Promise<AssetRef>;
}

/** How results carried bytes before the asset store: `{type: "bytes", size, base64}` (toJsonValue). */
interface InlineBytes {
  type: 'bytes';
  size: number;
  base64: string;
}

const isInlineBytes = (value: unknown): value is InlineBytes =>
  typeof value === 'object' && value !== null && (value as InlineBytes).type === 'bytes' && typeof (value as InlineBytes).base64 === 'string';

/**
 * Moves the bytes of results stored inline into the asset store, one job row at a time (read, write
 * its assets, rewrite the row in a transaction), so memory holds one row, and a crash half-way leaves
 * rows either moved or untouched; running it again moves the rest.
 */
export async function moveInlineBlobsToAssets(db: Database.Database, context: { assets?: InlineBytesImporter }): Promise<boolean> {
  const rows = db.prepare(`SELECT id FROM jobs WHERE result LIKE '%"type":"bytes"%'`).pluck().all() as string[];
  if (!rows.length) return true;
  const assets = context.assets;
  if (!assets) return false;
  const read = db.prepare('SELECT result FROM jobs WHERE id = ?').pluck();
  const write = db.prepare('UPDATE jobs SET result = ? WHERE id = ?');
  for (const jobId of rows) {
    const result = JSON.parse(read.get(jobId) as string) as Record<string, unknown>;
    const moved = await replaceInline(result, async (bytes, path) =>
      assets.importBytes(bytes, { jobId, nodeId: path[1] === 'nodes' ? (path[2] ?? null) : null, name: path.at(-1) ?? 'output' }),
    );
    db.transaction(() => write.run(JSON.stringify(moved), jobId))();
  }
  return true;
}

/** A copy of `value` with every inline bytes value replaced by what `keep` makes of it. */
async function replaceInline(value: unknown, keep: (bytes: Buffer, path: string[]) => Promise<AssetRef>, path: string[] = []): Promise<unknown> {
  if (isInlineBytes(value)) return keep(Buffer.from(value.base64, 'base64'), path);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const [index, item] of value.entries()) out.push(await replaceInline(item, keep, [...path, String(index)]));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = await replaceInline(item, keep, [...path, key]);
    return out;
  }
  return value;
}
