import type { Generated } from 'kysely';

/**
 * Every table of the server's database, as both databases hold it: one typed description the queries
 * are checked against. JSON documents are text; times are ISO text or, where a number is compared, ms
 * since the epoch; flags are 0/1 integers (SQLite has no boolean, and one shape keeps one query).
 */
export interface Tables {
  workflows: WorkflowsTable;
  jobs: JobsTable;
  worker_profiles: WorkerProfilesTable;
  rented_workers: RentedWorkersTable;
  guard_events: GuardEventsTable;
  sessions: SessionsTable;
  assets: AssetsTable;
  asset_refs: AssetRefsTable;
  rent_periods: RentPeriodsTable;
  profile_catalogs: ProfileCatalogsTable;
  server_replicas: ServerReplicasTable;
  run_events: RunEventsTable;
  login_attempts: LoginAttemptsTable;
  rentals_in_progress: RentalsInProgressTable;
}

export interface WorkflowsTable {
  id: string;
  name: string;
  description: string;
  document: string;
  created_at: string;
  updated_at: string;
}

export interface JobsTable {
  id: string;
  workflow_id: string | null;
  status: string;
  graph: string;
  params: string;
  result: string | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  /** The replica running it (null: queued for any, or ended); it holds it while `lease_until` (ms) is ahead. */
  owner: string | null;
  lease_until: number | null;
  /** What another replica needs to run it (JSON: the workflow and the run's options). */
  run_spec: string | null;
  /** The worker a running run is on (every replica counts it against the worker's limit); null otherwise. */
  worker: string | null;
  /** The scaled group a queued run waits for a worker of (the leader's scaler counts it); null otherwise. */
  waits_for_group: string | null;
}

export interface WorkerProfilesTable {
  name: string;
  profile: string;
  created_at: string;
  updated_at: string;
}

export interface RentedWorkersTable {
  id: string;
  provider: string;
  instance_id: string;
  name: string;
  profile: string;
  state: string;
  stage: string;
  gpu: string | null;
  price_per_hour: number | null;
  token_file: string;
  tls_fingerprint: string | null;
  attached: number;
  attach_requested: number;
  created_at: string;
  running_since: number | null;
  spent_before: number;
  last_activity: number;
  error: string | null;
  /** The worker's token, sealed with the key every replica reads (NODETOOL_SECRETS_KEY_FILE); null: in token_file. */
  token_sealed: string | null;
}

export interface GuardEventsTable {
  id: Generated<number>;
  at: string;
  worker: string;
  action: string;
  reason: string;
  detail: string;
}

export interface SessionsTable {
  id: string;
  secret_digest: string;
  created_at: string;
  expires_at: number;
}

export interface AssetsTable {
  id: string;
  content_type: string;
  size: number;
  location: string;
  created_at: string;
}

export interface AssetRefsTable {
  asset_id: string;
  job_id: string | null;
  node_id: string | null;
  name: string;
  created_at: string;
}

export interface RentPeriodsTable {
  id: Generated<number>;
  worker: string;
  profile: string;
  price_per_hour: number | null;
  started_at: number;
  ended_at: number | null;
}

export interface ProfileCatalogsTable {
  profile: string;
  nodes: string;
  updated_at: string;
}

export interface ServerReplicasTable {
  id: string;
  host: string;
  /** Where its assets go: `bucket`, `shared` (a folder every replica mounts) or `local` (its own folder). */
  assets: string;
  started_at: string;
  /** Its last heartbeat (ms): a replica not seen for a lease is gone. */
  seen_at: number;
}

export interface RunEventsTable {
  id: Generated<number>;
  job_id: string;
  seq: number;
  /** The event as clients receive it (JSON). */
  event: string;
}

export interface LoginAttemptsTable {
  client: string;
  window_start: number;
  attempts: number;
}

/** A rental being made now (the provider not yet answered): every replica counts it against the caps until `until` (ms). */
export interface RentalsInProgressTable {
  id: string;
  profile: string;
  until: number;
}
