import type { JobRecord } from './jobs.js';
import type { ModelDownloadProgress, ResidentModel } from './models.js';
import type { ServerRunEvent } from './runEvents.js';
import type { PoolHealth, WorkerHealth } from './workerHealth.js';
import type { GuardEventInfo, RentedWorkerInfo } from './rentedWorkers.js';

/** What a client sends on /ws, as JSON text. */
export type ClientCommand =
  | {
      command: 'run_job';
      data: {
        workflow_id?: string;
        graph?: unknown;
        workflow?: unknown;
        params?: Record<string, unknown>;
        job_id?: string;
        /** How long the run's models stay loaded after it: "5m", "30s", 0, -1 (the server's NODETOOL_MODEL_KEEP_ALIVE by default). */
        keep_alive?: string | number;
        /** false: fail instead of downloading models the worker lacks. */
        download_missing?: boolean;
        /** Run a node again on another worker when its worker was lost while it ran (it may have had effects). */
        retry_on_worker_loss?: boolean;
      };
      request_id?: string;
    }
  | { command: 'subscribe' | 'unsubscribe' | 'cancel_job'; data: { job_id: string }; request_id?: string };

/** What the server sends on /ws: run events of the runs the client watches, and the worker's status. */
export type ServerMessage =
  | ServerRunEvent
  /** The pool changed: `pool` lists every worker, the rest is the pool at a glance (see HealthReport). */
  | ({ type: 'worker_status'; pool: PoolHealth } & WorkerHealth)
  /** A download started from the Models panel or the API (a run's own downloads are its model_download events). */
  | ({ type: 'models_download' } & ModelDownloadProgress)
  /** What the keep-alive holds changed. */
  | { type: 'models_resident'; resident: ResidentModel[] }
  /** A rented worker changed (created, healthy, stopped, started, destroyed, failed). */
  | { type: 'rented_worker'; worker: RentedWorkerInfo }
  /** The cost guard acted (or a creation failed and was cleaned up). */
  | { type: 'cost_guard'; event: GuardEventInfo }
  | { type: 'job_started'; job_id: string; request_id?: string }
  | { type: 'subscribed'; job_id: string; job: JobRecord; request_id?: string }
  | { type: 'unsubscribed'; job_id: string; request_id?: string }
  | { type: 'cancel_result'; job_id: string; cancelled: boolean; request_id?: string }
  | { type: 'error'; error: string; status?: number; request_id?: string };
