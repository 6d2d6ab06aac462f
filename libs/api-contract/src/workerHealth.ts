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
  /** In a pool: the worker's name (its URL without credentials), labels, load and what it keeps loaded. */
  id?: string;
  labels?: Record<string, string>;
  runs_in_flight?: number;
  /** Null: no limit of its own. */
  max_concurrent_runs?: number | null;
  /** Model keys the keep-alive holds loaded there. */
  resident_models?: string[];
}

/** Every worker of the pool, and how many of them are connected. */
export interface PoolHealth {
  connected: number;
  total: number;
  workers: WorkerHealth[];
}

/** GET /health with the server token (without it: only `{status: 'ok'}`). */
export interface HealthReport {
  status: 'ok';
  uptime_s?: number;
  running_jobs?: number;
  queued_jobs?: number;
  /** The pool at a glance: connected when any worker is (the one worker's own view when there is one). */
  worker?: WorkerHealth;
  /** Every worker: state, target, protocol, node count, runs in flight, resident models, last round trip. */
  pool?: PoolHealth;
  /** What the model keep-alive holds loaded on the worker (GET /api/models/resident alone). */
  resident_models?: ResidentModel[];
}
