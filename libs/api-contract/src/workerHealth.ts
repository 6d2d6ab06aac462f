import type { LoadError } from '@nt/protocol';
import type { ResidentModel } from './models.js';

export type WorkerState = 'connecting' | 'connected' | 'reconnecting' | 'token_rejected' | 'unreachable' | 'stopped';

/** What /health and the UI's status panel show about the worker. */
export interface WorkerHealth {
  state: WorkerState;
  transport: 'websocket' | 'stdio' | null;
  target: string | null;
  protocol_version: number | null;
  node_count: number;
  namespaces: string[];
  load_errors: LoadError[];
  last_round_trip_ms: number | null;
  /** While retrying: which attempt comes next and when. */
  attempt?: number;
  next_retry_at?: string;
  error?: string;
}

/** GET /health with the server token (without it: only `{status: 'ok'}`). */
export interface HealthReport {
  status: 'ok';
  uptime_s?: number;
  running_jobs?: number;
  queued_jobs?: number;
  worker?: WorkerHealth;
  /** What the model keep-alive holds loaded on the worker (GET /api/models/resident alone). */
  resident_models?: ResidentModel[];
}
