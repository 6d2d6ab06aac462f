import type { JobRecord } from './jobs.js';
import type { ServerRunEvent } from './runEvents.js';
import type { WorkerHealth } from './workerHealth.js';

/** What a client sends on /ws, as JSON text. */
export type ClientCommand =
  | {
      command: 'run_job';
      data: { workflow_id?: string; graph?: unknown; workflow?: unknown; params?: Record<string, unknown>; job_id?: string };
      request_id?: string;
    }
  | { command: 'subscribe' | 'unsubscribe' | 'cancel_job'; data: { job_id: string }; request_id?: string };

/** What the server sends on /ws: run events of the runs the client watches, and the worker's status. */
export type ServerMessage =
  | ServerRunEvent
  | ({ type: 'worker_status' } & WorkerHealth)
  | { type: 'job_started'; job_id: string; request_id?: string }
  | { type: 'subscribed'; job_id: string; job: JobRecord; request_id?: string }
  | { type: 'unsubscribed'; job_id: string; request_id?: string }
  | { type: 'cancel_result'; job_id: string; cancelled: boolean; request_id?: string }
  | { type: 'error'; error: string; status?: number; request_id?: string };
