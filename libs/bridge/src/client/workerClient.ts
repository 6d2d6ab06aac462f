import { isOffloadSink } from '../rpc/blobSink.js';
import {
  capabilitiesOf,
  checkProtocolVersion,
  compact,
  readProtocolVersion,
  type CachedModel,
  type Capabilities,
  type ChunkData,
  type DiscoverReply,
  type DownloadProgressData,
  type ExecuteResult,
  type JobEndReason,
  type JobEndReply,
  type LoadError,
  type ModelsDownloadData,
  type ModelsEvictData,
  type ModelsEvictReply,
  type NodeMetadata,
  type WorkerStatus,
} from '@nt/protocol';
import { BridgeTimeoutError, CancelledError, ProtocolError } from '../errors.js';
import type { ExecuteOptions, ExecuteRequest } from '../pythonBridge.js';
import type { RpcConnection } from '../rpc/rpcConnection.js';
import { toExecuteData } from './executeData.js';
import { StreamWatchdog } from './streamWatchdog.js';

export interface ClientTimeouts {
  /** discover, worker.status, job.*, models.* (except download). */
  rpcTimeoutMs: number;
  /** execute, and a stream's wait for its first frame; 0 turns it off. */
  executeTimeoutMs: number;
  /** execute.stream after its first frame: the longest silence between frames; 0 turns it off. */
  streamIdleTimeoutMs: number;
  /** Whether to ask for result blobs in chunks when the worker offers it. */
  chunkedBlobs: boolean;
}

/**
 * The worker's API over one connection: the handshake (discover, version check, worker.status), the
 * catalog it learned, and one method per request type. Each method picks its request from the typed
 * map, so adding a request type is an entry there and a method here.
 */
export class WorkerClient {
  private nodes: NodeMetadata[] = [];
  private nodeTypes = new Set<string>();
  private workerStatus: WorkerStatus | null = null;
  /** Derived from workerStatus once per status reply, not on every execute. */
  private gates: Capabilities = capabilitiesOf(null);
  private loadErrors: LoadError[] = [];
  protocolVersion = 0;
  lastRoundTripMs: number | null = null;

  constructor(
    private readonly connection: RpcConnection,
    private readonly timeouts: ClientTimeouts,
    private readonly warn: (message: string) => void,
  ) {}

  /** Discover, version check, then status (whose failure is tolerated: capability gates stay closed). */
  async handshake(): Promise<void> {
    const discovered = await this.discover();
    const verdict = checkProtocolVersion(readProtocolVersion(discovered.protocol_version));
    if (!verdict.ok) throw new ProtocolError(verdict.reason);
    if (verdict.warning) this.warn(verdict.warning);
    try {
      await this.status();
    } catch (error) {
      this.warn(`worker.status failed, capability gates stay closed: ${(error as Error).message}`);
    }
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
    return this.gates;
  }

  async discover(): Promise<DiscoverReply> {
    const reply = await this.connection.request('discover', {}, { timeoutMs: this.timeouts.rpcTimeoutMs });
    this.nodes = reply.nodes;
    this.nodeTypes = new Set(reply.nodes.map((node) => node.node_type));
    this.loadErrors = reply.load_errors ?? [];
    this.protocolVersion = readProtocolVersion(reply.protocol_version);
    return reply;
  }

  async status(): Promise<WorkerStatus> {
    const started = performance.now();
    const reply = await this.connection.request('status', {}, { timeoutMs: this.timeouts.rpcTimeoutMs });
    this.lastRoundTripMs = performance.now() - started;
    this.workerStatus = reply;
    this.gates = capabilitiesOf(reply);
    this.loadErrors = reply.load_errors;
    return reply;
  }

  execute(request: ExecuteRequest, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const data = toExecuteData(request);
    // Chunked blobs keep a large result (an image, audio, a 3D model) below the frame ceiling.
    const chunked = this.timeouts.chunkedBlobs && this.capabilities().chunkedBlobs;
    if (chunked) data.blob_transfer = 'chunked-v1';
    // Storage the worker can upload to itself, and a worker that can: large results never cross the link.
    if (chunked && isOffloadSink(options.blobSink) && this.capabilities().assetOffload) data.asset_offload = { min_bytes: options.blobSink.offload.minBytes };
    return this.connection.request('execute', data, {
      subject: request.nodeType,
      timeoutMs: options.timeoutMs ?? this.timeouts.executeTimeoutMs,
      signal: options.signal,
      handlers: { onProgress: options.onProgress, onUpdate: options.onUpdate },
      chunkedBlobs: chunked,
      blobSink: options.blobSink,
    });
  }

  /**
   * A streaming node's chunks as they come. Until its first frame of any kind (a model may be loading)
   * the stream has the execute timeout; after it, the limit is the silence between two frames, not
   * the total length: a generation that keeps producing is never cut, a silent one is, with an error
   * saying how long it was silent. Either sends `cancel`, as does the consumer leaving the loop.
   */
  async *executeStream(request: ExecuteRequest, options: ExecuteOptions = {}): AsyncGenerator<ChunkData> {
    const queue: ChunkData[] = [];
    let wake: (() => void) | null = null;
    const firstFrameMs = options.timeoutMs ?? this.timeouts.executeTimeoutMs;
    const idleMs = this.timeouts.streamIdleTimeoutMs;
    const pending = this.connection.start('executeStream', toExecuteData(request), {
      subject: request.nodeType,
      timeoutMs: 0,
      signal: options.signal,
      handlers: {
        onProgress: (progress) => {
          watchdog.frame();
          options.onProgress?.(progress);
        },
        onUpdate: (update) => {
          watchdog.frame();
          options.onUpdate?.(update);
        },
        onChunk: (chunk) => {
          watchdog.frame();
          queue.push(chunk);
          wake?.();
        },
      },
    });
    const watchdog = new StreamWatchdog(firstFrameMs, idleMs, (heard) => {
      this.connection.cancel(pending.id);
      pending.reject(
        new BridgeTimeoutError(
          heard
            ? `${pending.describe()} was silent for ${idleMs} ms after its last frame (NODETOOL_PYTHON_STREAM_IDLE_TIMEOUT_MS); cancel sent to the worker`
            : `${pending.describe()} sent nothing for ${firstFrameMs} ms (NODETOOL_PYTHON_EXECUTE_TIMEOUT_MS); cancel sent to the worker`,
        ),
      );
    });
    pending.addCleanup(() => watchdog.stop());
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
        this.connection.cancel(pending.id);
        pending.reject(new CancelledError(`${pending.describe()} was abandoned by its consumer`));
      }
    }
  }

  async startJob(job: { jobId: string; workflowId?: string; userId?: string }): Promise<void> {
    if (!this.capabilities().jobLifecycle) return;
    await this.connection.request('jobStart', compact({ job_id: job.jobId, workflow_id: job.workflowId, user_id: job.userId }), {
      timeoutMs: this.timeouts.rpcTimeoutMs,
    });
  }

  async endJob(job: { jobId: string; reason?: JobEndReason }): Promise<JobEndReply | null> {
    if (!this.capabilities().jobLifecycle) return null;
    return this.connection.request('jobEnd', compact({ job_id: job.jobId, reason: job.reason }), { timeoutMs: this.timeouts.rpcTimeoutMs });
  }

  async listCachedModels(): Promise<CachedModel[]> {
    if (!this.capabilities().modelManagement) return [];
    return (await this.connection.request('modelsListCached', {}, { timeoutMs: this.timeouts.rpcTimeoutMs })).models;
  }

  downloadModel(
    request: ModelsDownloadData,
    options: { signal?: AbortSignal; idleTimeoutMs?: number; onProgress?: (progress: DownloadProgressData) => void } = {},
  ): Promise<{ repo_id: string; status: string }> {
    const idleMs = options.idleTimeoutMs ?? 300_000;
    const pending = this.connection.start('modelsDownload', compact({ ...request }), {
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
        this.connection.cancel(pending.id);
        pending.reject(new BridgeTimeoutError(`${pending.describe()} made no progress for ${idleMs} ms; cancel sent to the worker`));
      }, idleMs);
    };
    arm();
    pending.addCleanup(() => clearTimeout(timer));
    return pending.promise as Promise<{ repo_id: string; status: string }>;
  }

  async deleteModel(repoId: string): Promise<{ deleted: boolean }> {
    if (!this.capabilities().modelManagement) return { deleted: false };
    return this.connection.request('modelsDelete', { repo_id: repoId }, { subject: repoId, timeoutMs: this.timeouts.rpcTimeoutMs });
  }

  async evictModels(scope: ModelsEvictData = {}): Promise<ModelsEvictReply> {
    if (!this.capabilities().modelEviction) return { evicted: [] };
    return this.connection.request('modelsEvict', compact({ ...scope }), { timeoutMs: this.timeouts.rpcTimeoutMs });
  }
}
