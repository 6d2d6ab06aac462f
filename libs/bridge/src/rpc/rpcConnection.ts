import { randomUUID } from 'node:crypto';
import {
  asEnvelope,
  createMessageDecoder,
  describeBytes,
  encodeMessageForImmediateSend,
  REQUEST_SPECS,
  REQUEST_TYPES,
  type MessageDecoder,
  type RequestData,
  type RequestName,
  type RequestReply,
} from '@nt/protocol';
import { BridgeTimeoutError, CancelledError, ConnectionClosedError, FrameTooLargeError, NotConnectedError, type BridgeError } from '../errors.js';
import type { Transport, TransportListener } from '../transport/transport.js';
import { BlobAssembler, BlobBudget, memoryBlobSink } from './blobAssembler.js';
import type { BlobSink } from './blobSink.js';
import { Deadlines } from './deadlines.js';
import { PendingRequest, type PendingHandlers } from './pendingRequest.js';
import { RequestTable } from './requestTable.js';

/** Frames above this, in a request whose link then died, get the frame-size hint (a blob chunk is 1 MiB). */
const LARGE_FRAME_BYTES = 1024 * 1024;

export interface RpcSettings {
  maxFrameSize: number;
  /** Largest result blob accepted in chunks. */
  maxBlobBytes: number;
  /** All result blobs being assembled at once, across requests. */
  maxBlobBytesInFlight: number;
}

export interface RpcRequestOptions {
  /** What the request is about, for messages: "execute of fixtures.Sleep". */
  subject?: string;
  /** 0 turns the timeout off. A timeout of a cancellable request also sends `cancel`. */
  timeoutMs: number;
  signal?: AbortSignal;
  handlers?: Omit<PendingHandlers, 'blobs'>;
  /** Collect result blobs sent as chunked blob.* frames (the caller asked the worker for them). */
  chunkedBlobs?: boolean;
  /** Where those blobs' bytes go as they arrive; memory (within maxBlobBytes and the in-flight budget) by default. */
  blobSink?: BlobSink;
}

/** What the connection reports upward, besides settling requests. */
export interface RpcEvents {
  /** The transport was lost; every request in flight has already been rejected with `cause`. */
  onClose(cause: BridgeError): void;
  onWarning(message: string): void;
  onStderr?(line: string): void;
  onExit?(exit: { code: number | null; signal: string | null }): void;
  /** Bytes of whole frames that went to the worker (`sent`) or came from it, as they pass. */
  onTraffic?(direction: 'sent' | 'received', bytes: number): void;
}

/**
 * Requests and replies over one transport: ids, the table of pending requests, timeouts, cancel,
 * the frame ceiling both ways (lengths bounded when decoding), and chunked result blobs within a
 * bytes-in-flight budget. It knows the request types (REQUEST_SPECS) but not what they mean.
 */
export class RpcConnection {
  private readonly requests: RequestTable;
  private readonly decode: MessageDecoder;
  private readonly blobBudget: BlobBudget;
  private readonly deadlines = new Deadlines<PendingRequest>();
  private transport: Transport | null = null;
  private open_ = false;
  private readingHolds = 0;
  /** What the transport reports to: hand it to the transport this connection will use (attach). */
  readonly listener: TransportListener;

  constructor(
    private readonly settings: RpcSettings,
    private readonly events: RpcEvents,
  ) {
    this.decode = createMessageDecoder({ maxFrameSize: settings.maxFrameSize });
    this.blobBudget = new BlobBudget(settings.maxBlobBytesInFlight);
    this.requests = new RequestTable((message) => events.onWarning(`worker reported an error not tied to any request: ${message || '(empty)'}`));
    this.listener = {
      onPayload: (payload) => this.receive(payload),
      onClose: (cause, perRequest) => {
        this.open_ = false;
        this.failAll(
          perRequest ?? ((what) => new ConnectionClosedError(`Lost the worker connection (${this.target}) during ${what}: ${cause.message}`, { cause })),
        );
        events.onClose(cause);
      },
      onWarning: (message) => events.onWarning(message),
      onStderr: (line) => events.onStderr?.(line),
      onExit: (exit) => events.onExit?.(exit),
    };
  }

  /** The transport built with this connection's listener; once. */
  attach(transport: Transport): void {
    if (this.transport) throw new Error('RpcConnection.attach: a transport is attached already');
    this.transport = transport;
  }

  get target(): string {
    return this.transport?.target ?? '(no transport)';
  }

  get isOpen(): boolean {
    return this.open_;
  }

  /** The transport underneath, for what only it knows (a stdio child's pid and stderr). */
  get transportHandle(): Transport | null {
    return this.transport;
  }

  async open(): Promise<void> {
    if (!this.transport) throw new Error('RpcConnection.open: attach a transport first');
    await this.transport.open();
    this.open_ = true;
  }

  /** Ends the transport; requests in flight are rejected with the error built for each. */
  async close(makeError: (what: string) => BridgeError): Promise<void> {
    this.open_ = false;
    this.failAll(makeError);
    this.deadlines.clear();
    await this.transport?.close();
  }

  /** Sends a request and resolves with its checked, typed reply. */
  request<N extends RequestName>(name: N, data: RequestData<N>, options: RpcRequestOptions): Promise<RequestReply<N>> {
    return this.start(name, data, options).promise as Promise<RequestReply<N>>;
  }

  /** Like request(), but hands out the pending request (its id, cleanup hooks) for streams and watchdogs. */
  start<N extends RequestName>(name: N, data: RequestData<N>, options: RpcRequestOptions): PendingRequest {
    const spec = REQUEST_SPECS[name];
    const transport = this.transport;
    const id = randomUUID();
    const handlers: PendingHandlers = options.chunkedBlobs
      ? { ...options.handlers, blobs: () => this.makeAssembler(options.blobSink, id) }
      : (options.handlers ?? {});
    const request = new PendingRequest(id, spec.type, options.subject, handlers, spec.parseReply as (data: Record<string, unknown>) => unknown);
    if (!this.open_ || !transport) {
      request.reject(new NotConnectedError(`Cannot send ${request.describe()}: not connected to the worker`));
      return request;
    }
    if (options.signal?.aborted) {
      request.reject(new CancelledError(`${request.describe()} was cancelled before it was sent`));
      return request;
    }
    // A view of the encoder's buffer: it must be handed to the transport before anything else encodes.
    const payload = encodeMessageForImmediateSend({ type: spec.type, request_id: request.id, data });
    if (payload.byteLength > this.settings.maxFrameSize) {
      request.reject(
        new FrameTooLargeError(
          `Cannot send ${request.describe()}: the frame is ${describeBytes(payload.byteLength)}, ` +
            `above the ${describeBytes(this.settings.maxFrameSize)} ceiling (NODETOOL_BRIDGE_MAX_FRAME_SIZE)`,
          payload.byteLength,
          this.settings.maxFrameSize,
        ),
      );
      return request;
    }
    request.sentBytes = payload.byteLength;
    this.requests.add(request);
    if (options.timeoutMs > 0) {
      const timer = setTimeout(() => {
        if (spec.cancellable) this.cancel(request.id);
        request.reject(
          new BridgeTimeoutError(`${request.describe()} timed out after ${options.timeoutMs} ms${spec.cancellable ? '; cancel sent to the worker' : ''}`),
        );
      }, options.timeoutMs);
      request.addCleanup(() => clearTimeout(timer));
    }
    if (options.signal) {
      const signal = options.signal;
      const onAbort = () => {
        if (spec.cancellable) this.cancel(request.id);
        request.reject(new CancelledError(`${request.describe()} was cancelled`, { cause: signal.reason }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      request.addCleanup(() => signal.removeEventListener('abort', onAbort));
    }
    this.send(transport, payload).catch((error: BridgeError) => request.reject(error));
    return request;
  }

  /** `cancel` gets no reply, so it is fire-and-forget; a dead transport already failed the request. */
  /** A frame to the worker that belongs to a request in flight (not a request of its own). */
  private sendFrame(type: string, requestId: string, data: Record<string, unknown>): void {
    if (!this.open_ || !this.transport) return;
    this.send(this.transport, encodeMessageForImmediateSend({ type, request_id: requestId, data })).catch(() => undefined);
  }

  cancel(requestId: string): void {
    if (!this.open_ || !this.transport) return;
    this.send(this.transport, encodeMessageForImmediateSend({ type: REQUEST_TYPES.cancel, request_id: requestId, data: {} })).catch(() => undefined);
  }

  private send(transport: Transport, payload: Uint8Array): Promise<void> {
    this.events.onTraffic?.('sent', payload.byteLength);
    return transport.send(payload);
  }

  private makeAssembler(sink: BlobSink | undefined, requestId: string): BlobAssembler {
    // The grant of an upload goes back to the worker as a frame of the same request.
    if (sink)
      return new BlobAssembler(
        sink,
        undefined,
        (type, data) => this.sendFrame(type, requestId, data),
        (settled) => this.holdReading(settled),
      );
    const memory = memoryBlobSink(this.settings.maxBlobBytes, this.blobBudget);
    return new BlobAssembler(memory, () => memory.release());
  }

  /** A sink is behind (its disk): read nothing more from the worker until every such wait settles. */
  private holdReading(settled: Promise<void>): void {
    if (this.readingHolds++ === 0) this.transport?.pause?.();
    void settled.finally(() => {
      if (--this.readingHolds === 0) this.transport?.resume?.();
    });
  }

  /** Requests waiting for a reply. */
  get pendingCount(): number {
    return this.requests.size;
  }

  private receive(payload: Uint8Array): void {
    this.events.onTraffic?.('received', payload.byteLength);
    let decoded: unknown;
    try {
      decoded = this.decode(payload);
    } catch (error) {
      // A frame that does not decode fails nothing by itself: it cannot be attributed to a request.
      this.events.onWarning(`dropped an undecodable ${describeBytes(payload.byteLength)} frame from the worker: ${(error as Error).message}`);
      return;
    }
    const envelope = asEnvelope(decoded);
    if (!envelope) {
      this.events.onWarning('dropped a frame from the worker that is not a {type, request_id, data} map');
      return;
    }
    this.requests.dispatch(envelope);
  }

  private failAll(makeError: (what: string) => BridgeError): void {
    this.requests.rejectAll((request) => {
      const error = makeError(request.describe());
      // A link that dies right after a large frame went out: most likely a hop that cuts frames above a size.
      if (request.sentBytes > LARGE_FRAME_BYTES) {
        error.message +=
          `; its request was one frame of ${describeBytes(request.sentBytes)}, and a hop between here and the worker may cut frames ` +
          `above a size (RunPod's HTTP proxy: about 1.8 MiB): give the server a bucket (ASSET_BUCKET) so large inputs travel through it, ` +
          `or reach the worker over a direct TCP port`;
      }
      return error;
    });
  }
}
