/**
 * Request and reply payloads of the nodetool-core worker, as they travel on
 * the wire (snake_case keys). Optional keys are left out, never sent as null.
 */

/** Every request type the worker understands, by family. */
export const REQUEST_TYPES = {
  discover: 'discover',
  status: 'worker.status',
  execute: 'execute',
  executeStream: 'execute.stream',
  cancel: 'cancel',
  jobStart: 'job.start',
  jobEnd: 'job.end',
  modelsListCached: 'models.list_cached',
  modelsDownload: 'models.download',
  modelsDelete: 'models.delete',
  modelsEvict: 'models.evict',
} as const;

export type RequestType = (typeof REQUEST_TYPES)[keyof typeof REQUEST_TYPES];

/** A Python type annotation as the worker reports it in `outputs`. */
export interface TypeMetadata {
  type: string;
  optional?: boolean;
  type_args?: TypeMetadata[];
  values?: Array<string | number>;
  type_name?: string;
}

export interface PropertyMetadata {
  name: string;
  /** `type.type` is a Python annotation string such as `str`, `list[str]` or `HFSentenceSimilarity`. */
  type: { type: string };
  default?: unknown;
  description?: string;
}

export interface OutputSlotMetadata {
  name: string;
  type: TypeMetadata;
  stream?: boolean;
  stream_kind?: string;
}

export interface NodeMetadata {
  node_type: string;
  title?: string;
  description?: string;
  properties?: PropertyMetadata[];
  outputs?: OutputSlotMetadata[];
  required_settings?: string[];
  recommended_models?: Array<Record<string, unknown>>;
  is_streaming_output?: boolean;
  is_streaming_input?: boolean;
  is_dynamic?: boolean;
  requires_vram_gb?: number;
}

export interface LoadError {
  error: string;
  module?: string;
  phase?: string;
  error_type?: string;
}

export interface DiscoverReply {
  protocol_version?: number;
  nodes: NodeMetadata[];
  load_errors?: LoadError[];
}

export interface WorkerStatus {
  protocol_version: number;
  node_count: number;
  provider_count?: number;
  namespaces: string[];
  load_errors: LoadError[];
  transport: 'websocket' | 'stdio' | string;
  max_frame_size?: number;
  comfy?: { enabled: boolean; url?: string };
  [extra: string]: unknown;
}

/** Run identity keys (protocol v4). Sent to every worker; older ones ignore them. */
export interface RunIdentity {
  node_id?: string;
  job_id?: string;
  workflow_id?: string;
  user_id?: string;
  requires_vram_gb?: number;
}

export interface ExecuteData extends RunIdentity {
  node_type: string;
  fields?: Record<string, unknown>;
  secrets?: Record<string, string>;
  /** Binary inputs keyed by property name; leave those properties out of `fields`. */
  blobs?: Record<string, Uint8Array | Uint8Array[]>;
  /** Protocol 5: ask for result blobs as blob.start/blob.chunk/blob.end frames. */
  blob_transfer?: 'chunked-v1';
  /** Our worker extension (offload-v1): results above `min_bytes` may be uploaded through presigned URLs the client grants. */
  asset_offload?: { min_bytes: number };
  /** Our worker extension (offload-v1): inputs it downloads itself (checked by size and SHA-256) before the node runs. */
  asset_inputs?: Record<string, { url: string; type: string; size: number; sha256: string }>;
}

export interface ExecuteResult {
  outputs: Record<string, unknown>;
  /** The bytes, or what the caller's blob sink made of them (an asset reference). */
  blobs: Record<string, Uint8Array | object>;
}

/** `progress` during execute. Download progress frames carry a `status` key instead. */
export interface ProgressData {
  progress: number;
  total: number;
  message?: string | null;
  status?: string;
  [extra: string]: unknown;
}

export type ChunkData = ExecuteResult;

/** `update` frames: the worker's own `type` key tells log, preview and binary updates apart. */
export interface UpdateData {
  type: string;
  node_id?: string;
  [extra: string]: unknown;
}

export interface ErrorData {
  error: string;
  traceback?: string;
}

export interface JobStartData {
  job_id: string;
  workflow_id?: string;
  user_id?: string;
}

export type JobEndReason = 'completed' | 'failed' | 'cancelled' | 'abandoned';

export interface JobEndData {
  job_id: string;
  reason?: JobEndReason;
}

export interface JobEndReply {
  job_id: string;
  released_nodes: string[];
  known: boolean;
}

export interface ModelsEvictData {
  node_ids?: string[];
  job_id?: string;
  target_vram_gb?: number;
}

/** Drops keys whose value is undefined or null, so optional keys are absent rather than null on the wire. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry !== undefined && entry !== null) out[key] = entry;
  }
  return out as T;
}

/** A HuggingFace cache entry as `models.list_cached` reports it (UnifiedModel plus `downloaded`). */
export interface CachedModel {
  id: string;
  repo_id?: string;
  path?: string | null;
  type?: string | null;
  name?: string;
  downloaded?: boolean;
  size_on_disk?: number;
  [extra: string]: unknown;
}

export interface ModelsDownloadData {
  repo_id: string;
  /** A HuggingFace token for this download only (gated repos); never logged. */
  token?: string;
  allow_patterns?: string[];
  ignore_patterns?: string[];
  path?: string;
  model_type?: string;
}

/** `progress` frames of `models.download`: told apart from execute progress by `status`. */
export interface DownloadProgressData {
  status: 'start' | 'progress' | 'completed' | 'cancelled' | 'error';
  repo_id: string;
  /** The one file asked for, else null. */
  path?: string | null;
  model_type?: string | null;
  downloaded_bytes: number;
  total_bytes: number;
  downloaded_files?: number;
  total_files?: number;
  current_files?: string[];
  error?: string;
}

export interface ModelsDeleteData {
  repo_id: string;
}

export interface ModelsEvictReply {
  evicted: string[];
  freed_vram_gb?: number;
}
