import { createHash, randomBytes, type Hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SNIFF_BYTES } from './contentTypeOf.js';

/** Thrown when an asset would be larger than a limit; its message names the limit and the setting. */
export class AssetTooLargeError extends Error {}

/**
 * An asset being written: its bytes go straight to a file under a temporary name (never held whole),
 * hashed and counted on the way; the first few KiB are kept to recognise its type. The writes are
 * synchronous on purpose: the frame loop that feeds it waits for the disk, so a fast worker cannot
 * pile bytes up in memory faster than they are written.
 */
export class TempAssetFile {
  readonly path: string;
  private readonly fd: number;
  private readonly hash: Hash = createHash('sha256');
  private readonly headChunks: Buffer[] = [];
  private headSize = 0;
  size = 0;
  private open = true;

  constructor(
    tmpDir: string,
    /** The most bytes it may take, and what to say past it. */
    private readonly limit: { bytes: number; describe: (bytes: number) => string },
  ) {
    mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
    this.path = join(tmpDir, `${randomBytes(12).toString('hex')}.part`);
    this.fd = openSync(this.path, 'wx', 0o600);
  }

  write(bytes: Uint8Array): void {
    if (this.size + bytes.byteLength > this.limit.bytes) throw new AssetTooLargeError(this.limit.describe(this.size + bytes.byteLength));
    let written = 0;
    while (written < bytes.byteLength) written += writeSync(this.fd, bytes, written, bytes.byteLength - written);
    this.hash.update(bytes);
    if (this.headSize < SNIFF_BYTES) {
      const head = Buffer.from(bytes.subarray(0, SNIFF_BYTES - this.headSize));
      this.headChunks.push(head);
      this.headSize += head.byteLength;
    }
    this.size += bytes.byteLength;
  }

  /** Closes the file: its SHA-256 (hex) and first bytes; the file stays for the store to commit. */
  finish(): { sha256: string; head: Buffer } {
    this.close();
    return { sha256: this.hash.digest('hex'), head: Buffer.concat(this.headChunks) };
  }

  /** Drops it: a half-written asset is never seen. */
  discard(): void {
    this.close();
    rmSync(this.path, { force: true });
  }

  private close(): void {
    if (!this.open) return;
    this.open = false;
    closeSync(this.fd);
  }
}
