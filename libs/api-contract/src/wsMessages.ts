import { z } from 'zod';
import { RunRequest, type JobRecord } from './jobs.js';
import type { ModelDownloadProgress, ResidentModel } from './models.js';
import type { ServerRunEvent } from './runEvents.js';
import type { PoolHealth, WorkerHealth } from './workerHealth.js';
import type { GuardEventInfo, RentedWorkerInfo } from './rentedWorkers.js';

/** Echoed back on the answer to a command, so a client can match them. */
const RequestId = z.string({ error: '"request_id" must be a string' }).max(200, { error: '"request_id" must be at most 200 characters' });
const JobId = z.string({ error: '"job_id" must be a non-empty string' }).min(1, { error: '"job_id" must be a non-empty string' });
const JobData = z.object({ job_id: JobId }, { error: '"data" must be an object with "job_id"' });

/** The commands a client sends on /ws, as JSON text; the server checks every one against these. */
export const CLIENT_COMMANDS = ['run_job', 'reconnect_job', 'subscribe', 'unsubscribe', 'cancel_job'] as const;

export const ClientCommand = z.discriminatedUnion(
  'command',
  [
    /** Starts a run (the same fields as an HTTP run's body, but `wait`) and subscribes the sender to it. */
    z.object({ command: z.literal('run_job'), data: RunRequest.omit({ wait: true }), request_id: RequestId.optional() }),
    /**
     * After a dropped connection: every event of the job after `last_seq` (0: all it holds), then its live
     * events; answered with job_resumed (upstream nodetool's names).
     */
    z.object({
      command: z.literal('reconnect_job'),
      data: z.object(
        {
          job_id: JobId,
          last_seq: z
            .number({ error: '"last_seq" must be the seq of the last event seen, a whole number (0 for none)' })
            .int({ error: '"last_seq" must be a whole number' })
            .min(0, { error: '"last_seq" must be 0 or more' }),
        },
        { error: '"data" must be an object with "job_id" and "last_seq"' },
      ),
      request_id: RequestId.optional(),
    }),
    /** Watches a run started elsewhere; answered with its state so far (subscribed). */
    z.object({ command: z.literal('subscribe'), data: JobData, request_id: RequestId.optional() }),
    z.object({ command: z.literal('unsubscribe'), data: JobData, request_id: RequestId.optional() }),
    z.object({ command: z.literal('cancel_job'), data: JobData, request_id: RequestId.optional() }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? `unknown command; expected ${CLIENT_COMMANDS.join(', ')}` : undefined) },
);
export type ClientCommand = z.infer<typeof ClientCommand>;

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
  /**
   * The answer to reconnect_job, sent before the events it replays (those after the client's
   * `last_seq`, each with its `seq`). `skipped`: events after `last_seq` the server no longer holds (past
   * NODETOOL_RUN_EVENT_BUFFER); then `job` is the job's state now, to start again from. `job` is also
   * given when the server holds none of the job's events (it ended a while ago).
   */
  | { type: 'job_resumed'; job_id: string; last_seq: number; skipped: number; job?: JobRecord; request_id?: string }
  | { type: 'unsubscribed'; job_id: string; request_id?: string }
  | { type: 'cancel_result'; job_id: string; cancelled: boolean; request_id?: string }
  | { type: 'error'; error: string; status?: number; request_id?: string };
