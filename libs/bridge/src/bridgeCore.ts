import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import {
  asEnvelope,
  capabilitiesOf,
  checkProtocolVersion,
  compact,
  createMessageDecoder,
  describeBytes,
  encodeMessage,
  readProtocolVersion,
  REQUEST_TYPES,
  type CachedModel,
  type Capabilities,
  type DownloadProgressData,
  type ModelsDownloadData,
  type ModelsEvictData,
  type ModelsEvictReply,
  type ChunkData,
  type DiscoverReply,
  type ExecuteData,
  type ExecuteResult,
  type JobEndReason,
  type JobEndReply,
  type LoadError,
  type NodeMetadata,
  type WorkerStatus,
} from '@nt/protocol';
import {
  BridgeClosedError,
  BridgeTimeoutError,
  CancelledError,
  FrameTooLargeError,
  NotConnectedError,
  ProtocolError,
  type BridgeError,
} from './errors.js';
import { BlobAssembler, BlobBudget } from './blobAssembler.js';
import type { BridgeSettings } from './options.js';
import { PendingRequest, type PendingHandlers } from './pendingRequest.js';
import type {
  BridgeEvents,
  BridgeState,
  BridgeTransport,
  ExecuteOptions,
  ExecuteRequest,
  PythonBridge,
} from './pythonBridge.js';
import { RequestTable } from './requestTable.js';

interface RequestOptions {
  subject?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Whether the worker honours `cancel` for this request type. */
  cancellable?: boolean;
  handlers?: PendingHandlers;
}

/** Requests the worker can cancel cooperatively. */
const CANCELLABLE = new Set<string>([REQUEST_TYPES.execute, REQUEST_TYPES.executeStream, REQUEST_TYPES.modelsDownload]);

/**
 * Everything both transports share: request ids, pending requests, timeouts,
 * cancellation, the frame ceiling, discover/status bookkeeping and the
 * high-level calls. A transport only opens, sends bytes, feeds received
 * payloads to `receivePayload` and reports its own loss via `failInFlight`.
 */
export abstract class BridgeCore extends EventEmitter implements PythonBridge {
  abstract readonly transport: BridgeTransport;
  abstract get target(): string;
  abstract readonly confidential: boolean;
  /** Opens the transport and runs the handshake; on failure it leaves nothing open. */
  protected abstract openTransport(): Promise<void>;
  /** After a failed connect: any clean-up left, and the state to be in. */
  protected abstract afterFailedConnect(): Promise<BridgeState>;
  /** Ends the transport for good (owner's close). */
  protected abstract closeTransport(): Promise<void>;
  /** Sends one encoded message. Rejects when the transport cannot take it. */
  protected abstract sendPayload(payload: Uint8Array): Promise<void>;

  protected readonly requests = new RequestTable((message) =>
    this.emit('warning', `worker reported an error not tied to any request: ${message || '(empty)'}`),
  );
  /** True while a transport can carry requests (also during the post-open discover/status). */
  protected transportOpen = false;
  /** Set by close(): the bridge never connects again. */
  protected closedByOwner = false;
  private currentState: BridgeState = 'idle';
  private nodes: NodeMetadata[] = [];
  private nodeTypes = new Set<string>();
  private workerStatus: WorkerStatus | null = null;
  private loadErrors: LoadError[] = [];
  protocolVersion = 0;
  lastRoundTripMs: number | null = null;

  /** Lengths bounded by the frame ceiling, depth bounded: a hostile frame is refused, not allocated. */
  private readonly decode: ReturnType<typeof createMessageDecoder>;
  /** Shared by every request's blob assembler: the bound on result bytes in flight. */
  private readonly blobBudget: BlobBudget;

  protected constructor(protected readonly settings: BridgeSettings) {
    super();
    this.decode = createMessageDecoder({ maxFrameSize: settings.maxFrameSize });
    this.blobBudget = new BlobBudget(settings.maxBlobBytesInFlight);
  }

  get state(): BridgeState {
    return this.currentState;
  }

  async connect(): Promise<void> {
    if (this.closedByOwner) throw new BridgeClosedError('The bridge was closed; create a new one');
    if (this.currentState === 'connected') return;
    this.setState('connecting');
    try {
      await this.openTransport();
    } catch (error) {
      this.setState(await this.afterFailedConnect());
      throw error;
    }
    this.setState('connected');
    this.emit('connected');
  }

  async close(): Promise<void> {
    if (this.closedByOwner) return;
    this.closedByOwner = true;
    this.failInFlight((what) => new BridgeClosedError(`${what} was aborted: the bridge was closed`));
    await this.closeTransport();
    this.setState('closed');
  }

  protected setState(state: BridgeState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emit('state', state);
  }

  override emit<E extends keyof BridgeEvents>(event: E, ...args: BridgeEvents[E]): boolean {
    return super.emit(event, ...args);
  }

  getNodeMetadata(): NodeMetadata[] {
    return this.nodes;
  }

  hasNodeType(nodeType: string): boolean {
    return this.nodeTypes.has(nodeType);
  }

  getWorkerStatus(): WorkerStatus | null {
    return this.workerStatus;
  }

  getLoadErrors(): LoadError[] {
    return this.loadErrors;
  }

  capabilities(): Capabilities {
    return capabilitiesOf(this.workerStatus);
  }

  /** Decodes one inbound message. A payload that does not decode fails nothing but is reported. */
  protected receivePayload(payload: Uint8Array): void {
    let decoded: unknown;
    try {
      decoded = this.decode(payload);
    } catch (error) {
      this.emit('warning', `dropped an undecodable ${describeBytes(payload.byteLength)} frame from the worker: ${(error as Error).message}`);
      return;
    }
    const envelope = asEnvelope(decoded);
    if (!envelope) {
      this.emit('warning', 'dropped a frame from the worker that is not a {type, request_id, data} map');
      return;
    }
    this.requests.dispatch(envelope);
  }

  /** Rejects every request in flight; each error names its request and the cause. */
  protected failInFlight(makeError: (what: string) => BridgeError): void {
    this.requests.rejectAll((request) => makeError(request.describe()));
  }

  /** Discover, version check, then status (whose failure is tolerated: gates stay closed). */
  protected async handshake(): Promise<void> {
    const discovered = await this.discover();
    const verdict = checkProtocolVersion(readProtocolVersion(discovered.protocol_version));
    if (!verdict.ok) throw new ProtocolError(verdict.reason);
    if (verdict.warning) this.emit('warning', verdict.warning);
    try {
      await this.status();
    } catch (error) {
      this.emit('warning', `worker.status failed, capability gates stay closed: ${(error as Error).message}`);
    }
  }

  async discover(): Promise<DiscoverReply> {
    const reply = (await this.request(REQUEST_TYPES.discover, {}, { timeoutMs: this.settings.rpcTimeoutMs })) as DiscoverReply;
    const nodes = Array.isArray(reply.nodes) ? reply.nodes.filter((node) => typeof node?.node_type === 'string') : [];
    this.nodes = nodes;
    this.nodeTypes = new Set(nodes.map((node) => node.node_type));
    this.loadErrors = Array.isArray(reply.load_errors) ? reply.load_errors : [];
    this.protocolVersion = readProtocolVersion(reply.protocol_version);
    return { ...reply, nodes };
  }

  async status(): Promise<WorkerStatus> {
    const started = performance.now();
    const reply = (await this.request(REQUEST_TYPES.status, {}, { timeoutMs: this.settings.rpcTimeoutMs })) as WorkerStatus;
    this.lastRoundTripMs = performance.now() - started;
    this.workerStatus = reply;
    if (Array.isArray(reply.load_errors)) this.loadErrors = reply.load_errors;
    return reply;
  }

  execute(request: ExecuteRequest, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const data = toExecuteData(request);
    // Chunked blobs keep a large result (an image, audio, a 3D model) below the frame ceiling.
    const chunked = this.settings.chunkedBlobs && this.capabilities().chunkedBlobs;
    if (chunked) data.blob_transfer = 'chunked-v1';
    return this.request(REQUEST_TYPES.execute, data, {
      subject: request.nodeType,
      timeoutMs: options.timeoutMs ?? this.settings.executeTimeoutMs,
      signal: options.signal,
      handlers: {
        onProgress: options.onProgress,
        onUpdate: options.onUpdate,
        blobs: chunked ? new BlobAssembler(this.settings.maxBlobBytes, this.blobBudget) : undefined,
      },
    }) as Promise<ExecuteResult>;
  }

  async *executeStream(request: ExecuteRequest, options: ExecuteOptions = {}): AsyncGenerator<ChunkData> {
    const queue: ChunkData[] = [];
    let wake: (() => void) | null = null;
    const pending = this.startRequest(REQUEST_TYPES.executeStream, toExecuteData(request), {
      subject: request.nodeType,
      timeoutMs: options.timeoutMs ?? 0,
      signal: options.signal,
      handlers: {
        onProgress: options.onProgress,
        onUpdate: options.onUpdate,
        onChunk: (chunk) => {
          queue.push(chunk);
          wake?.();
        },
      },
    });
    let failure: unknown;
    let finished = false;
    pending.promise.then(
      () => {
        finished = true;
        wake?.();
      },
      (error) => {
        failure = error;
        finished = true;
        wake?.();
      },
    );
    try {
      for (;;) {
        const chunk = queue.shift();
        if (chunk) {
          yield chunk;
          continue;
        }
        if (finished) {
          if (failure) throw failure;
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      // The consumer stopped early: tell the worker and forget the request.
      if (!pending.isSettled) {
        this.sendCancel(pending.id);
        pending.reject(new CancelledError(`${pending.describe()} was abandoned by its consumer`));
      }
    }
  }

  async startJob(job: { jobId: string; workflowId?: string; userId?: string }): Promise<void> {
    if (!this.capabilities().jobLifecycle) return;
    await this.request(
      REQUEST_TYPES.jobStart,
      compact({ job_id: job.jobId, workflow_id: job.workflowId, user_id: job.userId }),
      { timeoutMs: this.settings.rpcTimeoutMs },
    );
  }

  async endJob(job: { jobId: string; reason?: JobEndReason }): Promise<JobEndReply | null> {
    if (!this.capabilities().jobLifecycle) return null;
    return (await this.request(REQUEST_TYPES.jobEnd, compact({ job_id: job.jobId, reason: job.reason }), {
      timeoutMs: this.settings.rpcTimeoutMs,
    })) as JobEndReply;
  }

  async listCachedModels(): Promise<CachedModel[]> {
    if (!this.capabilities().modelManagement) return [];
    const reply = (await this.request(REQUEST_TYPES.modelsListCached, {}, { timeoutMs: this.settings.rpcTimeoutMs })) as {
      models?: CachedModel[];
    };
    return Array.isArray(reply.models) ? reply.models : [];
  }

  downloadModel(
    request: ModelsDownloadData,
    options: { signal?: AbortSignal; idleTimeoutMs?: number; onProgress?: (progress: DownloadProgressData) => void } = {},
  ): Promise<{ repo_id: string; status: string }> {
    const idleMs = options.idleTimeoutMs ?? 300_000;
    const pending = this.startRequest(REQUEST_TYPES.modelsDownload, compact({ ...request }), {
      subject: request.repo_id,
      timeoutMs: 0,
      signal: options.signal,
      handlers: {
        onProgress: (progress) => {
          arm();
          options.onProgress?.(progress as unknown as DownloadProgressData);
        },
      },
    });
    // An idle watchdog rather than a total timeout: a large model may take hours, a stalled one should not.
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.sendCancel(pending.id);
        pending.reject(new BridgeTimeoutError(`${pending.describe()} made no progress for ${idleMs} ms; cancel sent to the worker`));
      }, idleMs);
    };
    arm();
    pending.addCleanup(() => clearTimeout(timer));
    return pending.promise as Promise<{ repo_id: string; status: string }>;
  }

  async evictModels(scope: ModelsEvictData = {}): Promise<ModelsEvictReply> {
    if (!this.capabilities().modelEviction) return { evicted: [] };
    return (await this.request(REQUEST_TYPES.modelsEvict, compact({ ...scope }), {
      timeoutMs: this.settings.rpcTimeoutMs,
    })) as ModelsEvictReply;
  }

  /** Sends a request and settles with its terminal frame's data. */
  protected request(type: string, data: object, options: RequestOptions): Promise<unknown> {
    return this.startRequest(type, data, options).promise;
  }

  private startRequest(type: string, data: object, options: RequestOptions): PendingRequest {
    const request = new PendingRequest(randomUUID(), type, options.subject, options.handlers ?? {});
    if (!this.transportOpen) {
      request.reject(new NotConnectedError(`Cannot send ${request.describe()}: not connected to the worker (${this.state})`));
      return request;
    }
    if (options.signal?.aborted) {
      request.reject(new CancelledError(`${request.describe()} was cancelled before it was sent`));
      return request;
    }
    const payload = encodeMessage({ type, request_id: request.id, data });
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
    this.requests.add(request);
    const cancellable = options.cancellable ?? CANCELLABLE.has(type);
    if (options.timeoutMs > 0) {
      const timer = setTimeout(() => {
        if (cancellable) this.sendCancel(request.id);
        request.reject(
          new BridgeTimeoutError(
            `${request.describe()} timed out after ${options.timeoutMs} ms${cancellable ? '; cancel sent to the worker' : ''}`,
          ),
        );
      }, options.timeoutMs);
      request.addCleanup(() => clearTimeout(timer));
    }
    if (options.signal) {
      const signal = options.signal;
      const onAbort = () => {
        if (cancellable) this.sendCancel(request.id);
        request.reject(new CancelledError(`${request.describe()} was cancelled`, { cause: signal.reason }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      request.addCleanup(() => signal.removeEventListener('abort', onAbort));
    }
    this.sendPayload(payload).catch((error: BridgeError) => request.reject(error));
    return request;
  }

  /** `cancel` gets no reply, so it is fire-and-forget; a dead transport already failed the request. */
  protected sendCancel(requestId: string): void {
    if (!this.transportOpen) return;
    this.sendPayload(encodeMessage({ type: REQUEST_TYPES.cancel, request_id: requestId, data: {} })).catch(() => undefined);
  }
}

function toExecuteData(request: ExecuteRequest): ExecuteData {
  return compact({
    node_type: request.nodeType,
    fields: request.fields ?? {},
    secrets: request.secrets,
    blobs: request.blobs,
    node_id: request.nodeId || undefined,
    job_id: request.jobId || undefined,
    workflow_id: request.workflowId || undefined,
    user_id: request.userId || undefined,
    requires_vram_gb: request.requiresVramGb && request.requiresVramGb > 0 ? request.requiresVramGb : undefined,
  });
}
