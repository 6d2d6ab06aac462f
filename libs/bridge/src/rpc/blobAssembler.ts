import { createHash, type Hash } from 'node:crypto';
import { describeBytes } from '@nt/protocol';
import { ProtocolError } from '../errors.js';
import { isOffloadSink, memoryWriter, type BlobSink, type BlobWriter, type OffloadReport } from './blobSink.js';

/**
 * Bytes reserved by result blobs still being assembled in memory, across every request of one bridge:
 * each blob reserves its declared size at blob.start, so many concurrent "2 GiB" blobs cannot add up to
 * more memory than the bridge allows, whatever a worker declares.
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

/** The default sink: each blob in one buffer of its declared size, within the bridge's blob limits. */
export function memoryBlobSink(maxBlobBytes: number, budget: BlobBudget): BlobSink & { release(): void } {
  let reserved = 0;
  return {
    open(name, size) {
      if (size > maxBlobBytes) throw new ProtocolError(`blob "${name}" of ${describeBytes(size)} exceeds the ${describeBytes(maxBlobBytes)} blob limit`);
      budget.reserve(size, `blob "${name}"`);
      reserved += size;
      return memoryWriter(size);
    },
    // The request is over: its bytes belong to the result now, or to nobody.
    release() {
      budget.release(reserved);
      reserved = 0;
    },
  };
}

interface Incoming {
  writer: BlobWriter;
  size: number;
  received: number;
  hash: Hash;
}

/**
 * Reassembles result blobs sent as `blob.start` / `blob.chunk` / `blob.end`
 * (protocol 5, `blob_transfer: "chunked-v1"`): each blob arrives in bounded
 * frames with strictly increasing offsets, a declared size and a SHA-256, so a
 * result far above the frame ceiling travels without ever needing one big frame.
 * The bytes go to a sink as they arrive. Any deviation throws a ProtocolError naming the blob.
 */
export class BlobAssembler {
  private readonly incoming = new Map<string, Incoming>();
  private readonly names = new Set<string>();
  private readonly closed: Array<Promise<[string, Uint8Array | object]>> = [];
  /** Uploads granted to the worker and not yet reported done. */
  private readonly pendingGrants = new Map<string, Promise<void>>();

  constructor(
    private readonly sink: BlobSink,
    private readonly onRelease: () => void = () => undefined,
    /** Sends a frame to the worker about this request (the grant of an upload). */
    private readonly reply: (type: string, data: Record<string, unknown>) => void = () => undefined,
    /** A writer asked to wait (its disk is behind): the connection reads no more frames until this settles. */
    private readonly hold: (settled: Promise<void>) => void = () => undefined,
  ) {}

  /** The request is over: blobs still arriving are dropped by their writers, and memory goes back to the budget. */
  release(): void {
    for (const blob of this.incoming.values()) blob.writer.abort();
    this.incoming.clear();
    this.onRelease();
  }

  accept(type: string, data: Record<string, unknown>): void {
    const name = data['name'];
    if (typeof name !== 'string' || !name) throw new ProtocolError(`${type} frame without a blob name`);
    if (type === 'asset.upload_request') return this.grant(name, data);
    if (type === 'blob.offloaded') return this.offloaded(name, data);
    if (type === 'blob.start') return this.start(name, data['size']);
    const blob = this.incoming.get(name);
    if (!blob) throw new ProtocolError(`${type} for blob "${name}" that was never started`);
    if (type === 'blob.chunk') return this.chunk(name, blob, data['offset'], data['bytes']);
    if (type === 'blob.end') return this.end(name, blob, data['size'], data['sha256']);
  }

  /** Completed blobs by name, once their writers have kept them; unfinished ones are a protocol error. */
  async take(): Promise<Record<string, Uint8Array | object>> {
    const unfinished = [...this.incoming.keys(), ...this.pendingGrants.keys()];
    if (unfinished.length) throw new ProtocolError(`the result arrived before blob "${unfinished[0]}" was complete`);
    return Object.fromEntries(await Promise.all(this.closed));
  }

  /** The worker asks where to upload a result itself (offload-v1): the sink's grant goes back to it. */
  private grant(name: string, data: Record<string, unknown>): void {
    if (!isOffloadSink(this.sink)) throw new ProtocolError(`the worker asked to upload "${name}", and this request offered no upload`);
    const { size, sha256 } = data;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256))
      throw new ProtocolError(`the upload request for "${name}" needs a size and a SHA-256`);
    if (this.names.has(name)) throw new ProtocolError(`blob "${name}" started twice`);
    this.names.add(name);
    const granted = this.sink.offload.grant({ name, size, sha256 }).then(
      (grant) => this.reply('asset.upload_grant', { name, ...grant }),
      (error: unknown) => {
        // The worker is told (it gives up on the upload and fails the node); the request fails with the reason.
        this.reply('asset.upload_grant', { name, error: (error as Error).message });
        throw error;
      },
    );
    granted.catch(() => undefined);
    this.pendingGrants.set(name, granted);
  }

  /** The worker uploaded a result itself: the sink checks and keeps it, and that is the blob's value. */
  private offloaded(name: string, data: Record<string, unknown>): void {
    const granted = this.pendingGrants.get(name);
    if (!isOffloadSink(this.sink) || !granted) throw new ProtocolError(`blob "${name}" was reported uploaded without a grant`);
    this.pendingGrants.delete(name);
    const sink = this.sink;
    const report = { ...(data as unknown as OffloadReport), name };
    const kept = granted.then(() => sink.offload.complete(report)).then((value): [string, Uint8Array | object] => [name, value]);
    kept.catch(() => undefined);
    this.closed.push(kept);
  }

  private start(name: string, size: unknown): void {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw new ProtocolError(`blob "${name}" declares an invalid size`);
    if (this.names.has(name)) throw new ProtocolError(`blob "${name}" started twice`);
    this.names.add(name);
    this.incoming.set(name, { writer: this.sink.open(name, size), size, received: 0, hash: createHash('sha256') });
  }

  private chunk(name: string, blob: Incoming, offset: unknown, bytes: unknown): void {
    if (!(bytes instanceof Uint8Array)) throw new ProtocolError(`blob.chunk of "${name}" carries no bytes`);
    if (offset !== blob.received) throw new ProtocolError(`blob.chunk of "${name}" at offset ${String(offset)}, expected ${blob.received}`);
    if (blob.received + bytes.byteLength > blob.size) throw new ProtocolError(`blob "${name}" overflows its declared ${describeBytes(blob.size)}`);
    const behind = blob.writer.write(bytes);
    if (behind) this.hold(behind.catch(() => undefined));
    blob.hash.update(bytes);
    blob.received += bytes.byteLength;
  }

  private end(name: string, blob: Incoming, size: unknown, sha256: unknown): void {
    if (size !== blob.size || blob.received !== blob.size) throw new ProtocolError(`blob "${name}" ended after ${blob.received} of ${blob.size} bytes`);
    const digest = blob.hash.digest('hex');
    if (typeof sha256 !== 'string' || digest !== sha256.toLowerCase()) throw new ProtocolError(`blob "${name}" failed its SHA-256 check`);
    this.incoming.delete(name);
    const kept = blob.writer.close(digest).then((value): [string, Uint8Array | object] => [name, value]);
    // take() reports a failure; until then it must not count as unhandled.
    kept.catch(() => undefined);
    this.closed.push(kept);
  }
}
