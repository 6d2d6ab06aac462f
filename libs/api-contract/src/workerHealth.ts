import { z } from 'zod';
import type { LoadError as ProtocolLoadError } from '@nt/protocol';
import { ResidentModel } from './models.js';

export const WorkerState = z.enum(['connecting', 'connected', 'reconnecting', 'token_rejected', 'unreachable', 'stopped']);
export type WorkerState = z.infer<typeof WorkerState>;

/** A module the worker could not import, as it reported it (its shape is the worker protocol's). */
const LoadError = z.object({
  error: z.string(),
  module: z.string().optional(),
  phase: z.string().optional(),
  error_type: z.string().optional(),
}) satisfies z.ZodType<ProtocolLoadError>;

/** What /health and the UI's status panel show about the worker. */
export const WorkerHealth = z.object({
  state: WorkerState,
  transport: z.enum(['websocket', 'stdio']).nullable(),
  target: z.string().nullable(),
  protocol_version: z.number().nullable(),
  node_count: z.number(),
  namespaces: z.array(z.string()),
  load_errors: z.array(LoadError),
  last_round_trip_ms: z.number().nullable(),
  /** While retrying: which attempt comes next and when. */
  attempt: z.number().optional(),
  next_retry_at: z.string().optional(),
  error: z.string().optional(),
  /** In a pool: the worker's name (its URL without credentials), labels, load and what it keeps loaded. */
  id: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  runs_in_flight: z.number().optional(),
  /** Null: no limit of its own. */
  max_concurrent_runs: z.number().nullable().optional(),
  /** Model keys the keep-alive holds loaded there. */
  resident_models: z.array(z.string()).optional(),
});
export type WorkerHealth = z.infer<typeof WorkerHealth>;

/** Every worker of the pool, and how many of them are connected. */
export const PoolHealth = z.object({
  connected: z.number(),
  total: z.number(),
  workers: z.array(WorkerHealth),
});
export type PoolHealth = z.infer<typeof PoolHealth>;

/** GET /health with the server token (without it: only `{status: 'ok'}`). */
export const HealthReport = z.object({
  status: z.literal('ok'),
  uptime_s: z.number().optional(),
  running_jobs: z.number().optional(),
  queued_jobs: z.number().optional(),
  /** The pool at a glance: connected when any worker is (the one worker's own view when there is one). */
  worker: WorkerHealth.optional(),
  /** Every worker: state, target, protocol, node count, runs in flight, resident models, last round trip. */
  pool: PoolHealth.optional(),
  /** What the model keep-alive holds loaded on the worker (GET /api/models/resident alone). */
  resident_models: z.array(ResidentModel).optional(),
  /** This server among its replicas: its id (with Postgres), and whether it does the singleton work (the cost guard, retention, the scaler). */
  replica: z.object({ id: z.string().nullable(), leader: z.boolean() }).optional(),
});
export type HealthReport = z.infer<typeof HealthReport>;
