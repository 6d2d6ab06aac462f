import type Database from 'better-sqlite3';
import { moveInlineBlobsToAssets, type InlineBytesImporter } from './moveInlineBlobs.js';

/**
 * What a migration that moves data out of the database needs. openDatabase has none of it: a step that
 * needs it waits for finishMigrations, which the server calls once its asset store (made over the open
 * database) exists.
 */
export interface MigrationContext {
  /** Where inline result bytes go: the server's asset store. */
  assets?: InlineBytesImporter;
}

/**
 * The server's schema, one numbered step at a time. APPEND ONLY: a released migration is never edited,
 * because a user's database has already run it; a change is a new entry at the end. `user_version`
 * holds how many have run. apps/server/src/store/migrations.spec.ts upgrades a database from every earlier version
 * (the released SQL is kept there as test data) and fails when a released entry changes.
 */
export interface Migration {
  /** Its 1-based number: `user_version` after it ran. */
  version: number;
  /** What it does, for errors and the upgrade log. */
  name: string;
  /** A schema change: runs in one transaction with the version bump. */
  up?: string | ((db: Database.Database) => void);
  /**
   * A data move that cannot sit in one transaction (files are written): it commits a row at a time and
   * must be safe to run again after a crash; the version is bumped once it finished. It answers false,
   * having touched nothing, when it has data to move and the context lacks where to (openDatabase's):
   * the migrations stop there until finishMigrations gives it.
   */
  upAsync?: (db: Database.Database, context: MigrationContext) => Promise<boolean>;
}

/** The last migration of the last release; everything up to it is frozen. */
export const RELEASED_VERSION = 6;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'workflows',
    up: `CREATE TABLE workflows (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     description TEXT NOT NULL DEFAULT '',
     document TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   )`,
  },
  {
    version: 2,
    name: 'jobs',
    up: `CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     workflow_id TEXT,
     status TEXT NOT NULL,
     graph TEXT NOT NULL,
     params TEXT NOT NULL,
     result TEXT,
     error TEXT,
     created_at TEXT NOT NULL,
     finished_at TEXT
   )`,
  },
  { version: 3, name: 'jobs by creation time', up: `CREATE INDEX jobs_by_created ON jobs (created_at DESC)` },
  // Renting workers: profiles (no secret in them), the instances rented, and what the cost guard did.
  {
    version: 4,
    name: 'worker profiles',
    up: `CREATE TABLE worker_profiles (
     name TEXT PRIMARY KEY,
     profile TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   )`,
  },
  {
    version: 5,
    name: 'rented workers',
    up: `CREATE TABLE rented_workers (
     id TEXT PRIMARY KEY,
     provider TEXT NOT NULL,
     instance_id TEXT NOT NULL,
     name TEXT NOT NULL,
     profile TEXT NOT NULL,
     state TEXT NOT NULL,
     stage TEXT NOT NULL,
     gpu TEXT,
     price_per_hour REAL,
     token_file TEXT NOT NULL,
     tls_fingerprint TEXT,
     attached INTEGER NOT NULL,
     attach_requested INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL,
     running_since INTEGER,
     spent_before REAL NOT NULL DEFAULT 0,
     last_activity INTEGER NOT NULL,
     error TEXT
   )`,
  },
  {
    version: 6,
    name: 'cost guard events',
    up: `CREATE TABLE guard_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     worker TEXT NOT NULL,
     action TEXT NOT NULL,
     reason TEXT NOT NULL,
     detail TEXT NOT NULL
   )`,
  },
  // Migration 5 was edited in place once (commit a3559eb): a database made between the two commits has
  // rented_workers without attach_requested. SQLite has no ADD COLUMN IF NOT EXISTS, hence the check.
  {
    version: 7,
    name: 'rented_workers.attach_requested where it is missing',
    up: (db) => {
      const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('rented_workers') as string[];
      if (!columns.includes('attach_requested')) db.exec('ALTER TABLE rented_workers ADD COLUMN attach_requested INTEGER NOT NULL DEFAULT 0');
    },
  },
  // Browser sessions for NODETOOL_SERVER_TOKEN, kept here so they expire on the server and logout ends them.
  {
    version: 8,
    name: 'sessions',
    up: `CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     secret_digest TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   )`,
  },
  // The asset store: binary results and uploads kept as files or objects, referenced from job records.
  {
    version: 9,
    name: 'assets',
    up: `CREATE TABLE assets (
     id TEXT PRIMARY KEY,
     content_type TEXT NOT NULL,
     size INTEGER NOT NULL,
     location TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE asset_refs (
     asset_id TEXT NOT NULL,
     job_id TEXT,
     node_id TEXT,
     name TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE INDEX asset_refs_by_asset ON asset_refs (asset_id);
   CREATE INDEX asset_refs_by_job ON asset_refs (job_id)`,
  },
  // Results stored before the asset store carried their bytes as base64 in the row: they become assets.
  { version: 10, name: 'inline result blobs into assets', upAsync: moveInlineBlobsToAssets },
  // Elastic capacity: what rentals billed when (the daily cap counts it by UTC day), and the node catalog
  // each profile's workers announced (so a run is matched to a profile while none of its workers runs).
  {
    version: 11,
    name: 'billing periods and profile catalogs',
    up: (db) => {
      db.exec(`CREATE TABLE rent_periods (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        worker TEXT NOT NULL,
        profile TEXT NOT NULL,
        price_per_hour REAL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER
      );
      CREATE INDEX rent_periods_by_end ON rent_periods (ended_at);
      CREATE TABLE profile_catalogs (
        profile TEXT PRIMARY KEY,
        nodes TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`);
      // A rented worker billing now keeps billing: its current period starts when it started running.
      db.exec(`INSERT INTO rent_periods (worker, profile, price_per_hour, started_at, ended_at)
        SELECT id, profile, price_per_hour, running_since, NULL FROM rented_workers WHERE state IN ('provisioning', 'running') AND running_since IS NOT NULL`);
    },
  },
  // Several server replicas on one database: who is alive (and where its assets go), which replica runs a
  // run and until when its lease holds, each run's recent events (any replica replays them), login attempts
  // per client (the limit holds across replicas), and a rented worker's token sealed in the row.
  {
    version: 12,
    name: 'replicas, run leases, run events, login attempts, sealed worker tokens',
    up: `CREATE TABLE server_replicas (
      id TEXT PRIMARY KEY,
      host TEXT NOT NULL,
      assets TEXT NOT NULL,
      started_at TEXT NOT NULL,
      seen_at INTEGER NOT NULL
    );
    ALTER TABLE jobs ADD COLUMN owner TEXT;
    ALTER TABLE jobs ADD COLUMN lease_until INTEGER;
    CREATE INDEX jobs_by_owner ON jobs (owner);
    CREATE TABLE run_events (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      job_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      event TEXT NOT NULL
    );
    CREATE INDEX run_events_by_job ON run_events (job_id, seq);
    CREATE TABLE login_attempts (
      client TEXT PRIMARY KEY,
      window_start INTEGER NOT NULL,
      attempts INTEGER NOT NULL
    );
    ALTER TABLE rented_workers ADD COLUMN token_sealed TEXT`,
  },
  // A queued run any replica may take: what it needs to run there (the workflow and the run's options).
  { version: 13, name: 'the run spec of a queued run', up: 'ALTER TABLE jobs ADD COLUMN run_spec TEXT' },
  // What one process counted in memory, every replica now reads: the worker each running run is on
  // (the per-worker limit, the guard's "no run in flight"), and the rentals being made at this moment (the caps).
  {
    version: 14,
    name: 'the worker of a running run, rentals being made',
    up: `ALTER TABLE jobs ADD COLUMN worker TEXT;
    CREATE INDEX jobs_by_worker ON jobs (worker) WHERE worker IS NOT NULL AND finished_at IS NULL;
    CREATE TABLE rentals_in_progress (
      id TEXT PRIMARY KEY,
      profile TEXT NOT NULL,
      until INTEGER NOT NULL
    )`,
  },
  // A queued run waiting for a scaled group's worker: the leader's scaler rents for every replica's.
  { version: 15, name: 'the scaled group a queued run waits for', up: 'ALTER TABLE jobs ADD COLUMN waits_for_group TEXT' },
];
