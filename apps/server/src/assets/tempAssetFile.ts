import { createHash, randomBytes, type Hash } from 'node:crypto';
import { close, mkdirSync, openSync, rmSync, writev } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SNIFF_BYTES } from '@nt/data';

const writevAsync = promisify(writev);
/** Chunks written by one system call at most (IOV_MAX is 1024 on Linux). */
const CHUNKS_PER_WRITE = 1024;
const closeAsync = promisify(close);

/** Thrown when an asset would be larger than a limit; its message names the limit and the setting. */
export class AssetTooLargeError extends Error {}

/** Bytes waiting for the disk before the writer asks its source to pause, and when it may go on. */
const HIGH_WATER = 8 * 1024 * 1024;
const LOW_WATER = 2 * 1024 * 1024;

/**
 * An asset being written: its bytes go to a file under a temporary name (never held whole), hashed and
 * counted on the way; the first few KiB are kept to recognise its type. Writes go to the disk while the
 * next bytes arrive; past HIGH_WATER waiting, write() answers a promise, and the source (the worker
 * link, an upload) pauses until it settles, so memory stays bounded whatever the disk's speed.
 */
export class TempAssetFile {
  readonly path: string;
  private readonly fd: number;
  /** Null when the bytes come checked already (a result blob, whose SHA-256 the bridge verified on the way). */
  private readonly hash: Hash | null;
  private readonly headChunks: Buffer[] = [];
  private headSize = 0;
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  private pumping: Promise<void> | null = null;
  private failure: Error | null = null;
  private drained: Array<() => void> = [];
  size = 0;
  private open = true;

  constructor(
    tmpDir: string,
    /** The most bytes it may take, and what to say past it. */
    private readonly limit: { bytes: number; describe: (bytes: number) => string },
    options: { hashed?: boolean } = {},
  ) {
    this.hash = options.hashed === false ? null : createHash('sha256');
    mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
    this.path = join(tmpDir, `${randomBytes(12).toString('hex')}.part`);
    this.fd = openSync(this.path, 'wx', 0o600);
  }

  /** Takes the next bytes (kept until written, not copied); a promise means: send no more until it settles. */
  write(bytes: Uint8Array): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    if (this.size + bytes.byteLength > this.limit.bytes) throw new AssetTooLargeError(this.limit.describe(this.size + bytes.byteLength));
    this.hash?.update(bytes);
    if (this.headSize < SNIFF_BYTES) {
      const head = Buffer.from(bytes.subarray(0, SNIFF_BYTES - this.headSize));
      this.headChunks.push(head);
      this.headSize += head.byteLength;
    }
    this.size += bytes.byteLength;
    this.queue.push(bytes);
    this.queued += bytes.byteLength;
    this.pumping ??= this.pump();
    if (this.queued <= HIGH_WATER) return undefined;
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** Waits for the disk, closes the file: its SHA-256 (hex; the one given, when it was not hashed here) and first bytes. */
  async finish(checkedSha256?: string): Promise<{ sha256: string; head: Buffer }> {
    await this.pumping;
    if (this.failure) throw this.failure;
    await this.close();
    const sha256 = this.hash ? this.hash.digest('hex') : checkedSha256;
    if (!sha256) throw new Error('an asset written without hashing needs the SHA-256 it was checked against');
    return { sha256, head: Buffer.concat(this.headChunks) };
  }

  /** Drops it: a half-written asset is never seen. */
  discard(): void {
    this.failure ??= new Error('the asset was discarded');
    this.queue.length = 0;
    void (this.pumping ?? Promise.resolve()).finally(async () => {
      await this.close().catch(() => undefined);
      rmSync(this.path, { force: true });
    });
    this.release();
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length && !this.failure) {
        // Everything that waits goes in one system call (a network body arrives in 16-64 KiB pieces).
        let chunks = this.queue.splice(0, CHUNKS_PER_WRITE);
        const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
        let left = total;
        while (left > 0) {
          const { bytesWritten } = await writevAsync(this.fd, chunks);
          left -= bytesWritten;
          if (left > 0) chunks = remainderOf(chunks, bytesWritten);
        }
        this.queued -= total;
        if (this.queued <= LOW_WATER) this.release();
      }
    } catch (error) {
      this.failure = error as Error;
    } finally {
      this.pumping = null;
      this.release();
    }
  }

  private release(): void {
    for (const resolve of this.drained.splice(0)) resolve();
  }

  private async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await closeAsync(this.fd);
  }
}

/** What a short write left of `chunks`, past its first `written` bytes. */
function remainderOf(chunks: Uint8Array[], written: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  let skip = written;
  for (const chunk of chunks) {
    if (skip >= chunk.byteLength) skip -= chunk.byteLength;
    else {
      rest.push(skip ? chunk.subarray(skip) : chunk);
      skip = 0;
    }
  }
  return rest;
}
