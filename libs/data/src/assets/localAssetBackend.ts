import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { AssetBackend, ByteRange } from './assetBackend.js';
import { holdsBytes } from './assetDigest.js';

/**
 * Assets as files under the server's data directory, `<dir>/<first two hex>/<sha256>`, needing no
 * service. A file appears under its final name only by a rename of a complete temporary file, so a
 * crash mid-write leaves no half asset, only a temporary file the next start removes.
 */
export class LocalAssetBackend implements AssetBackend {
  readonly kind = 'local';

  constructor(readonly dir: string) {}

  /** Where asset writers put their temporary files. */
  get tmpDir(): string {
    return join(this.dir, '.tmp');
  }

  /** Removes temporary files a previous process left (it stopped mid-write). */
  async sweepTemporary(): Promise<number> {
    const left = await readdir(this.tmpDir).catch(() => [] as string[]);
    await Promise.all(left.map((name) => rm(join(this.tmpDir, name), { force: true })));
    return left.length;
  }

  async commit(tempPath: string, id: string, _contentType: string, size: number, recorded: boolean): Promise<string> {
    const path = this.pathOf(id);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // Content-addressed: the same bytes may be there already; anything else there is replaced (a rename is atomic).
    const there = await stat(path).catch(() => null);
    const same = there !== null && (recorded ? there.size === size : await holdsBytes(there.size, { id, size }, async () => createReadStream(path)));
    if (same) await rm(tempPath, { force: true });
    else await rename(tempPath, path);
    return `local:${relative(this.dir, path).split(sep).join('/')}`;
  }

  async read(location: string, range?: ByteRange): Promise<Readable> {
    return createReadStream(this.fileOf(location), range ? { start: range.start, end: range.end } : {});
  }

  async remove(location: string): Promise<void> {
    await rm(this.fileOf(location), { force: true });
  }

  private pathOf(id: string): string {
    return join(this.dir, id.slice(0, 2), id);
  }

  /** A stored location as a path inside the folder; anything else is refused. */
  private fileOf(location: string): string {
    const match = /^local:([0-9a-f]{2})\/([0-9a-f]{64})$/.exec(location);
    if (!match) throw new Error(`not a local asset location: ${JSON.stringify(location)}`);
    return join(this.dir, match[1] as string, match[2] as string);
  }
}
