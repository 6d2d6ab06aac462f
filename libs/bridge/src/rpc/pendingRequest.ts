import type { ChunkData, ProgressData, UpdateData } from '@nt/protocol';
import type { BlobAssembler } from './blobAssembler.js';
import type { BridgeError } from '../errors.js';

export interface PendingHandlers {
  onProgress?: (progress: ProgressData) => void;
  onUpdate?: (update: UpdateData) => void;
  onChunk?: (chunk: ChunkData) => void;
  /** Makes the assembler for chunked result blobs (protocol 5), at the first blob frame: most results have none. */
  blobs?: () => BlobAssembler;
}

/**
 * One request in flight. It settles exactly once, and every way out (reply,
 * remote error, timeout, abort, disconnect, close) goes through `finish`, which
 * also clears its timer and abort listener.
 */
export class PendingRequest {
  private settled = false;
  /** The chunked result blobs being assembled, once the first blob frame arrived. */
  assembler: BlobAssembler | null = null;
  /** The size of the frame that sent it (for what a dropped link may have been about). */
  sentBytes = 0;
  private cleanups: Array<() => void> = [];
  readonly promise: Promise<unknown>;
  private resolveFn!: (value: unknown) => void;
  private rejectFn!: (error: BridgeError) => void;

  constructor(
    readonly id: string,
    readonly type: string,
    /** What the request is about, for error messages: the node type of an execute. */
    readonly subject: string | undefined,
    readonly handlers: PendingHandlers,
    /** Checks the terminal frame's data against the contract (REQUEST_SPECS) and types it. */
    readonly parseReply: (data: Record<string, unknown>) => unknown = (data) => data,
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    // A rejection nobody awaits (the caller already gave up) must not become unhandled.
    this.promise.catch(() => undefined);
  }

  /** "execute of fixtures.Sleep", "worker.status". */
  describe(): string {
    return this.subject ? `${this.type} of ${this.subject}` : this.type;
  }

  get isSettled(): boolean {
    return this.settled;
  }

  addCleanup(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  resolve(value: unknown): void {
    if (this.finish()) this.resolveFn(value);
  }

  reject(error: BridgeError): void {
    if (this.finish()) this.rejectFn(error);
  }

  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    // Blobs still arriving are dropped, and memory goes back to the bridge's in-flight budget, whatever the outcome.
    this.assembler?.release();
    return true;
  }
}
