import type {
  Capabilities,
  CachedModel,
  ChunkData,
  DownloadProgressData,
  ModelsDownloadData,
  ModelsEvictData,
  ModelsEvictReply,
  DiscoverReply,
  ExecuteResult,
  JobEndReason,
  JobEndReply,
  LoadError,
  NodeMetadata,
  ProgressData,
  UpdateData,
  WorkerStatus,
} from '@nt/protocol';
import type { ConnectionStatus } from './connection/connectionStatus.js';
import type { BlobSink } from './rpc/blobSink.js';
import type { BridgeError, WorkerAuthError } from './errors.js';

export type BridgeTransport = 'websocket' | 'stdio';

/** See ConnectionState: idle → connecting → connected ⇄ reconnecting; `closed` and `failed` are final. */
export type BridgeState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed' | 'failed';

/** One node execution, in the caller's terms; the bridge maps it to the wire keys. */
export interface ExecuteRequest {
  nodeType: string;
  fields?: Record<string, unknown>;
  secrets?: Record<string, string>;
  /** Binary inputs keyed by property name. */
  blobs?: Record<string, Uint8Array | Uint8Array[]>;
  /** Inputs the worker fetches itself from presigned URLs (offload-v1 workers only), by property name. */
  assetInputs?: Record<string, AssetInput>;
  nodeId?: string;
  jobId?: string;
  workflowId?: string;
  userId?: string;
  requiresVramGb?: number;
}

/** A large input in the server's bucket: where the worker reads it, and what it must be. */
export interface AssetInput {
  url: string;
  /** The worker's ref type: image, audio, video or asset. */
  type: string;
  size: number;
  sha256: string;
}

export interface ExecuteOptions {
  /** Aborting sends `cancel` to the worker and rejects at once with CancelledError. */
  signal?: AbortSignal;
  /** Overrides the bridge's execute timeout; 0 turns it off. A timeout also sends `cancel`. */
  timeoutMs?: number;
  onProgress?: (progress: ProgressData) => void;
  onUpdate?: (update: UpdateData) => void;
  /** Where result blobs go as they arrive (the server's asset store); memory by default. Its writers' values replace the bytes in `blobs`. */
  blobSink?: BlobSink;
}

export interface ReconnectingInfo {
  attempt: number;
  delayMs: number;
  nextRetryAt: number;
}

export interface BridgeEvents {
  state: [BridgeState];
  /** Every change of the connection status (state, attempt, next retry, last error). */
  status: [ConnectionStatus];
  connected: [];
  /** The connection dropped; every request in flight has already been rejected with `cause`. */
  disconnected: [cause: BridgeError];
  reconnecting: [ReconnectingInfo];
  /** A reconnect succeeded; discover and worker.status ran again. */
  reconnected: [];
  /** A reconnect attempt met HTTP 401. The bridge keeps backing off: the token may be rotated on the worker. */
  auth_rejected: [WorkerAuthError];
  /** The attempt or deadline limit ran out; the bridge is `failed`. */
  reconnect_failed: [BridgeError];
  warning: [string];
  /** A stderr line of the stdio worker. */
  stderr: [string];
  /** The stdio worker process ended. */
  exit: [{ code: number | null; signal: string | null }];
}

export interface PythonBridge {
  readonly transport: BridgeTransport;
  readonly state: BridgeState;
  /** The one view of the connection: state, attempt and next retry while reconnecting, the last error. */
  readonly connectionStatus: ConnectionStatus;
  /** Where the bridge points, safe to print (no credentials). */
  readonly target: string;
  /** Whether the link keeps what it carries private (stdio, wss://, or ws:// on loopback); secrets are sent only then. */
  readonly confidential: boolean;

  /**
   * Opens the transport, then runs discover and worker.status. Rejects fast on a rejected token, unless
   * `reconnect.retryFirstConnect` is set: then it keeps trying, as after a lost connection.
   */
  connect(): Promise<void>;
  /** Rejects everything pending with BridgeClosedError, stops reconnecting, ends the child. Idempotent. */
  close(): Promise<void>;

  /** Node metadata from the last discover. */
  getNodeMetadata(): NodeMetadata[];
  hasNodeType(nodeType: string): boolean;
  /** The last worker.status reply, or null when none was received. */
  getWorkerStatus(): WorkerStatus | null;
  getLoadErrors(): LoadError[];
  /** From discover; 0 before the first one. */
  readonly protocolVersion: number;
  capabilities(): Capabilities;
  /** Round trip of the last worker.status, in milliseconds. */
  readonly lastRoundTripMs: number | null;
  /** Bytes of frames sent to and received from the worker since the bridge was made, across reconnects. */
  readonly traffic?: { readonly sentBytes: number; readonly receivedBytes: number };

  discover(): Promise<DiscoverReply>;
  status(): Promise<WorkerStatus>;
  execute(request: ExecuteRequest, options?: ExecuteOptions): Promise<ExecuteResult>;
  /** For nodes with `is_streaming_output`; breaking out of the loop cancels the request. */
  executeStream(request: ExecuteRequest, options?: ExecuteOptions): AsyncIterable<ChunkData>;
  /** Both are no-ops on workers below protocol 4. */
  startJob(job: { jobId: string; workflowId?: string; userId?: string }): Promise<void>;
  endJob(job: { jobId: string; reason?: JobEndReason }): Promise<JobEndReply | null>;

  /** HuggingFace models in the worker's cache (protocol 2+; an empty list below). */
  listCachedModels(): Promise<CachedModel[]>;
  /** Downloads into the worker's cache; an idle watchdog (no progress for `idleTimeoutMs`, default 5 min) cancels it. */
  downloadModel(
    request: ModelsDownloadData,
    options?: { signal?: AbortSignal; idleTimeoutMs?: number; onProgress?: (progress: DownloadProgressData) => void },
  ): Promise<{ repo_id: string; status: string }>;
  /** Removes a model from the worker's cache (protocol 2+; `{deleted: false}` below). */
  deleteModel(repoId: string): Promise<{ deleted: boolean }>;
  /** Frees loaded models (protocol 4+; answers `{evicted: []}` without sending below). */
  evictModels(scope?: ModelsEvictData): Promise<ModelsEvictReply>;

  on<E extends keyof BridgeEvents>(event: E, listener: (...args: BridgeEvents[E]) => void): this;
  off<E extends keyof BridgeEvents>(event: E, listener: (...args: BridgeEvents[E]) => void): this;
  once<E extends keyof BridgeEvents>(event: E, listener: (...args: BridgeEvents[E]) => void): this;
}
