import type { AssetStore } from './assets/assetStore.js';
import type { ServerConfig } from './config.js';
import type { JobManager } from './jobs/jobManager.js';
import type { ServerMetrics } from './observability/serverMetrics.js';
import type { PoolModels } from './models/poolModels.js';
import type { JobStore, LoginAttempts, WorkflowStore } from '@nt/data';
import type { WorkerPool } from './workers/workerPool.js';
import type { CostGuardLoop } from './rented/costGuardLoop.js';
import type { RentedWorkers } from './rented/rentedWorkers.js';
import type { Leadership } from './replicas/leadership.js';
import type { ReplicaPresence } from './replicas/replicaPresence.js';
import type { QueueClaims } from './replicas/queueClaims.js';
import type { RunEventBus } from './replicas/runEventBus.js';
import type { SharedPool } from './replicas/sharedPool.js';
import type { CapacityScaler } from './scaling/capacityScaler.js';
import type { HostPolicy } from './security/hostPolicy.js';
import type { ServerToken } from './security/serverToken.js';
import type { SessionStore } from './security/sessions.js';

/** Everything a route or the WebSocket hub may use. */
export interface App {
  config: ServerConfig;
  workflows: WorkflowStore;
  jobs: JobStore;
  runs: JobManager;
  workers: WorkerPool;
  models: PoolModels;
  /** Rented GPU workers: profiles, instances, and the cost guard that stops them. */
  rented: RentedWorkers;
  /** Binary results and uploads, served by GET /api/assets/:id. */
  assets: AssetStore;
  guard: CostGuardLoop;
  /** Elastic capacity: workers of scaled profiles rented for waiting runs and released when idle. */
  scaler: CapacityScaler;
  /** With Postgres: this replica among the others (its heartbeat, its runs' leases); null on SQLite. */
  presence: ReplicaPresence | null;
  /** With Postgres: run events to and from the other replicas, and kept for a reconnect to any of them; null on SQLite. */
  bus: RunEventBus | null;
  /** With Postgres: queued runs no replica holds (their replica stopped or died), taken when this one has room; null on SQLite. */
  claims: QueueClaims | null;
  /** With Postgres: the pool as the replicas share it (the others' runs on each worker, the leader's rented workers); null on SQLite. */
  sharedPool: SharedPool | null;
  /** Whether this replica does the singleton work (always, on SQLite). */
  leadership: Leadership;
  /** Prometheus metrics (GET /metrics). */
  metrics: ServerMetrics;
  /** Why the server is not ready for traffic (GET /ready), or null when it is. */
  notReady(): Promise<string | null>;
  startedAt: number;
  hostPolicy: HostPolicy;
  /** Null when no NODETOOL_SERVER_TOKEN is set (the server then listens on loopback only). */
  serverToken: ServerToken | null;
  /** Browser sessions for the server token (null without one). */
  sessions: SessionStore | null;
  /** The login rate limit's counts, in the database (every replica counts the same guesses). */
  loginAttempts: LoginAttempts;
}
