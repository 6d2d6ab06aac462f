import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SpillSpace } from './spillSpace.js';

/** Records are written in blocks of about this much, and read back in blocks of at least this much. */
const BLOCK_BYTES = 64 * 1024;

/**
 * A first-in first-out file of byte records (each a u32 length, then the bytes), for the items of an
 * input that wait past its bound in memory. It is created at the first record and removed by
 * `dispose`; once every record was read back it starts over at offset 0, so a queue that fills and
 * drains again and again does not grow its file.
 *
 * Synchronous on purpose: records are appended and read in order by the one actor that owns the
 * queue, in blocks of 64 KiB that go to the page cache, and a synchronous call keeps the order
 * without a queue of pending writes (which would itself be memory that grows).
 */
export class SpillFile {
  private fd: number | null = null;
  private folder: string | null = null;
  /** Bytes written to the file so far (the end of the last flushed record). */
  private written = 0;
  /** Bytes of the file loaded into `block` so far. */
  private loaded = 0;
  private block: Buffer = Buffer.alloc(0);
  private blockAt = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private unread = 0;
  /** Bytes charged to the space and not yet refunded. */
  private charged = 0;

  constructor(private readonly space: SpillSpace) {}

  /** Records written and not read back yet. */
  get size(): number {
    return this.unread;
  }

  append(record: Uint8Array): void {
    const bytes = 4 + record.byteLength;
    this.space.charge(bytes);
    this.charged += bytes;
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(record.byteLength, 0);
    this.pending.push(header, Buffer.from(record.buffer, record.byteOffset, record.byteLength));
    this.pendingBytes += bytes;
    this.unread++;
    if (this.pendingBytes >= BLOCK_BYTES) this.flush();
  }

  /** The oldest records, in order, until about `maxBytes` were read or none is left. */
  take(maxBytes: number): Uint8Array[] {
    const records: Uint8Array[] = [];
    let taken = 0;
    // Records still in `pending` were never flushed: flush them, so the file holds everything in order.
    this.flush();
    while (this.unread > 0 && (records.length === 0 || taken < maxBytes)) {
      this.ensure(4);
      const length = this.block.readUInt32BE(this.blockAt);
      this.ensure(4 + length);
      // A copy, and a plain Uint8Array (binary values decode as views of it): the block is reused, and an item may outlive it.
      records.push(new Uint8Array(this.block.buffer.slice(this.block.byteOffset + this.blockAt + 4, this.block.byteOffset + this.blockAt + 4 + length)));
      this.blockAt += 4 + length;
      taken += 4 + length;
      this.unread--;
    }
    this.space.refund(taken);
    this.charged -= taken;
    if (this.unread === 0 && this.fd !== null) {
      // Drained: start the file over rather than let it grow for as long as the stream lasts.
      ftruncateSync(this.fd, 0);
      this.written = this.loaded = this.blockAt = 0;
      this.block = Buffer.alloc(0);
    }
    return records;
  }

  /** Removes the file and gives back what it held. Safe to call twice. */
  dispose(): void {
    if (this.fd !== null) closeSync(this.fd);
    if (this.folder) rmSync(this.folder, { recursive: true, force: true });
    this.fd = null;
    this.folder = null;
    this.pending = [];
    this.pendingBytes = 0;
    this.unread = 0;
    this.space.refund(this.charged);
    this.charged = 0;
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    if (this.fd === null) {
      // A folder of its own (0700), so no other local user can read or swap the file.
      mkdirSync(this.space.dir, { recursive: true });
      this.folder = mkdtempSync(join(this.space.dir, 'nt-stream-'));
      this.fd = openSync(join(this.folder, 'items'), 'w+', 0o600);
    }
    const data = Buffer.concat(this.pending, this.pendingBytes);
    let at = 0;
    while (at < data.byteLength) at += writeSync(this.fd, data, at, data.byteLength - at, this.written + at);
    this.written += data.byteLength;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** At least `bytes` unread bytes in `block` from `blockAt`, loading the next part of the file. */
  private ensure(bytes: number): void {
    const available = this.block.byteLength - this.blockAt;
    if (available >= bytes) return;
    const want = Math.min(Math.max(BLOCK_BYTES, bytes - available), this.written - this.loaded);
    const next = Buffer.allocUnsafe(available + want);
    this.block.copy(next, 0, this.blockAt);
    let at = 0;
    while (at < want) {
      const read = readSync(this.fd as number, next, available + at, want - at, this.loaded + at);
      if (read === 0) throw new Error('a stream spill file ended early: it was changed or truncated by something else');
      at += read;
    }
    this.loaded += want;
    this.block = next;
    this.blockAt = 0;
    if (this.block.byteLength < bytes) throw new Error('a stream spill file ended in the middle of a record');
  }
}
