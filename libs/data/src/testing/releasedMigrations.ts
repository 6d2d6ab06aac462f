/**
 * TEST DATA: the SQL of every released migration, copied as it shipped, so the upgrade spec can build a
 * database as each earlier release left it. Never edit an entry; a new release appends its own.
 */
export const RELEASED_MIGRATION_SQL: readonly string[] = [
  `CREATE TABLE workflows (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     description TEXT NOT NULL DEFAULT '',
     document TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   )`,
  `CREATE TABLE jobs (
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
  `CREATE INDEX jobs_by_created ON jobs (created_at DESC)`,
  `CREATE TABLE worker_profiles (
     name TEXT PRIMARY KEY,
     profile TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   )`,
  `CREATE TABLE rented_workers (
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
  `CREATE TABLE guard_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     worker TEXT NOT NULL,
     action TEXT NOT NULL,
     reason TEXT NOT NULL,
     detail TEXT NOT NULL
   )`,
];

/** Migration 5 as it stood before commit a3559eb edited it in place: no attach_requested. */
export const RENTED_WORKERS_BEFORE_A3559EB = `CREATE TABLE rented_workers (
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
     created_at TEXT NOT NULL,
     running_since INTEGER,
     spent_before REAL NOT NULL DEFAULT 0,
     last_activity INTEGER NOT NULL,
     error TEXT
   )`;
