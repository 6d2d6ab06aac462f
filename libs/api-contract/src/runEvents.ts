import type { ModelDownloadProgress } from './models.js';
import type { RunWaiting } from './jobs.js';

/**
 * Events of a run, in shapes close to the reference server's WebSocket messages, so the CLI, the
 * server and the UI consume one stream. The runtime emits RunEvent; the server adds the workflow id
 * (ServerRunEvent) and a `queued` state of its own.
 */
export type JobStatus = 'running' | 'completed' | 'failed' | 'cancelled';
export type NodeStatus = 'running' | 'completed' | 'failed' | 'skipped' | 'cancelled';

export interface JobUpdate {
  type: 'job_update';
  job_id: string;
  workflow_id: string;
  status: JobStatus;
  error?: string;
  duration_ms?: number;
}

export interface NodeUpdate {
  type: 'node_update';
  job_id: string;
  node_id: string;
  node_type: string;
  status: NodeStatus;
  error?: string;
  duration_ms?: number;
  /** The worker that ran it, once known (Python nodes). */
  worker?: string;
}

export interface NodeProgress {
  type: 'node_progress';
  job_id: string;
  node_id: string;
  progress: number;
  total: number;
}

/**
 * A Preview or Output node received a value. A sink fed by a stream sends one per item, each with its
 * `item` number (0, 1, …): the record then holds the list of items (or the joined text of text chunks).
 */
export interface OutputUpdate {
  type: 'output_update';
  job_id: string;
  node_id: string;
  node_name: string;
  output_name: string;
  value: unknown;
  item?: number;
}

/**
 * What a node shows while it runs (the worker's preview_update and binary_update: an image model's
 * intermediate steps): replaced by the node's result when it completes, never kept in the record.
 * Binary previews arrive as a data: URL.
 */
export interface NodePreview {
  type: 'node_preview';
  job_id: string;
  node_id: string;
  value: unknown;
  /** binary_update's output name, when it gave one. */
  output_name?: string;
}

/** A log line a node wrote while running. */
export interface LogUpdate {
  type: 'log_update';
  job_id: string;
  node_id: string;
  content: string;
  severity: string;
}

/** A setting a node asked for (required_settings) that was not sent to the worker; the value never appears. */
export interface SecretWithheld {
  type: 'secret_withheld';
  job_id: string;
  node_id: string;
  setting: string;
  reason: string;
}

/** A model the run needs is being downloaded into the worker's cache, before its nodes start. */
export interface ModelDownloadUpdate extends ModelDownloadProgress {
  type: 'model_download';
  job_id: string;
}

export type RunEvent = JobUpdate | NodeUpdate | NodeProgress | OutputUpdate | NodePreview | LogUpdate | SecretWithheld | ModelDownloadUpdate;

/**
 * A job as the server reports it: it may wait in the queue before it runs, and `interrupted` is a run
 * the server itself cut short (it shut down or crashed during it), not a failure of its nodes.
 */
export type ServerJobStatus = JobStatus | 'queued' | 'interrupted';

/** The server's job_update: any job status, and the outputs once it ended. */
export interface ServerJobUpdate extends Omit<JobUpdate, 'status'> {
  status: ServerJobStatus;
  outputs?: Record<string, unknown>;
  /** A queued run waiting for a scaled group's worker: what it waits for (sent again at each stage). */
  waiting?: RunWaiting;
}

/** A run event as the server makes it, before it is numbered. */
export type UnnumberedRunEvent = (Exclude<RunEvent, JobUpdate> & { workflow_id: string }) | ServerJobUpdate;

/**
 * Run events as the server sends them: JSON-safe values, the workflow id on every one, and `seq`: 1, 2,
 * 3, … per job, in the order they happened. A client that lost its connection says the last `seq` it saw
 * (reconnect_job) and gets what came after, like an EventSource's Last-Event-ID.
 */
export type ServerRunEvent = UnnumberedRunEvent & { seq: number };
