import type { ModelDownloadProgress } from './models.js';

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

/** A Preview or Output node produced a value. */
export interface OutputUpdate {
  type: 'output_update';
  job_id: string;
  node_id: string;
  node_name: string;
  output_name: string;
  value: unknown;
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

export type RunEvent = JobUpdate | NodeUpdate | NodeProgress | OutputUpdate | LogUpdate | SecretWithheld | ModelDownloadUpdate;

/**
 * A job as the server reports it: it may wait in the queue before it runs, and `interrupted` is a run
 * the server itself cut short (it shut down or crashed during it), not a failure of its nodes.
 */
export type ServerJobStatus = JobStatus | 'queued' | 'interrupted';

/** The server's job_update: any job status, and the outputs once it ended. */
export interface ServerJobUpdate extends Omit<JobUpdate, 'status'> {
  status: ServerJobStatus;
  outputs?: Record<string, unknown>;
}

/** Run events as the server sends them: JSON-safe values, the workflow id on every one. */
export type ServerRunEvent = (Exclude<RunEvent, JobUpdate> & { workflow_id: string }) | ServerJobUpdate;
