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
