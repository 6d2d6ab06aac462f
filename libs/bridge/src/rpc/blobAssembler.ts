import { createHash, type Hash } from 'node:crypto';
import { describeBytes } from '@nt/protocol';
import { ProtocolError } from '../errors.js';

/**
 * Bytes reserved by result blobs still being assembled, across every request of one bridge: each blob
 * reserves its declared size at blob.start, so many concurrent "2 GiB" blobs cannot add up to more
 * memory than the bridge allows, whatever a worker declares.
 */
export class BlobBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  reserve(bytes: number, what: string): void {
    if (this.used + bytes > this.limit) {
      throw new ProtocolError(
        `${what} of ${describeBytes(bytes)} would put ${describeBytes(this.used + bytes)} of result blobs in flight, ` +
          `above the ${describeBytes(this.limit)} limit (maxBlobBytesInFlight)`,
      );
    }
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

interface Incoming {
  bytes: Buffer;
  received: number;
  hash: Hash;
}

/**
 * Reassembles result blobs sent as `blob.start` / `blob.chunk` / `blob.end`
 * (protocol 5, `blob_transfer: "chunked-v1"`): each blob arrives in bounded
 * frames with strictly increasing offsets, a declared size and a SHA-256, so a
 * result far above the frame ceiling travels without ever needing one big frame.
 * Any deviation throws a ProtocolError naming the blob.
 */
export class BlobAssembler {
  private readonly incoming = new Map<string, Incoming>();
  private readonly complete = new Map<string, Buffer>();
  private reserved = 0;

  constructor(
    private readonly maxBlobBytes: number,
    private readonly budget: BlobBudget = new BlobBudget(Number.MAX_SAFE_INTEGER),
  ) {}

  /** Gives every reserved byte back to the budget; the request is over (the bytes now belong to its result, or to nobody). */
  release(): void {
    this.budget.release(this.reserved);
    this.reserved = 0;
  }

  accept(type: string, data: Record<string, unknown>): void {
    const name = data['name'];
    if (typeof name !== 'string' || !name) throw new ProtocolError(`${type} frame without a blob name`);
    if (type === 'blob.start') return this.start(name, data['size']);
    const blob = this.incoming.get(name);
    if (!blob) throw new ProtocolError(`${type} for blob "${name}" that was never started`);
    if (type === 'blob.chunk') return this.chunk(name, blob, data['offset'], data['bytes']);
    if (type === 'blob.end') return this.end(name, blob, data['size'], data['sha256']);
  }

  /** Completed blobs by name; unfinished ones are a protocol error. */
  take(): Record<string, Uint8Array> {
    const unfinished = [...this.incoming.keys()];
    if (unfinished.length) throw new ProtocolError(`the result arrived before blob "${unfinished[0]}" was complete`);
    return Object.fromEntries(this.complete);
  }

  private start(name: string, size: unknown): void {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw new ProtocolError(`blob "${name}" declares an invalid size`);
    if (size > this.maxBlobBytes) {
      throw new ProtocolError(`blob "${name}" of ${describeBytes(size)} exceeds the ${describeBytes(this.maxBlobBytes)} blob limit`);
    }
    if (this.incoming.has(name) || this.complete.has(name)) throw new ProtocolError(`blob "${name}" started twice`);
    this.budget.reserve(size, `blob "${name}"`);
    this.reserved += size;
    this.incoming.set(name, { bytes: Buffer.allocUnsafe(size), received: 0, hash: createHash('sha256') });
  }

  private chunk(name: string, blob: Incoming, offset: unknown, bytes: unknown): void {
    if (!(bytes instanceof Uint8Array)) throw new ProtocolError(`blob.chunk of "${name}" carries no bytes`);
    if (offset !== blob.received) throw new ProtocolError(`blob.chunk of "${name}" at offset ${String(offset)}, expected ${blob.received}`);
    if (blob.received + bytes.byteLength > blob.bytes.byteLength) {
      throw new ProtocolError(`blob "${name}" overflows its declared ${describeBytes(blob.bytes.byteLength)}`);
    }
    blob.bytes.set(bytes, blob.received);
    blob.hash.update(bytes);
    blob.received += bytes.byteLength;
  }

  private end(name: string, blob: Incoming, size: unknown, sha256: unknown): void {
    if (size !== blob.bytes.byteLength || blob.received !== blob.bytes.byteLength) {
      throw new ProtocolError(`blob "${name}" ended after ${blob.received} of ${blob.bytes.byteLength} bytes`);
    }
    if (typeof sha256 !== 'string' || blob.hash.digest('hex') !== sha256.toLowerCase()) {
      throw new ProtocolError(`blob "${name}" failed its SHA-256 check`);
    }
    this.incoming.delete(name);
    this.complete.set(name, blob.bytes);
  }
}
