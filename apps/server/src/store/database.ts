import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

const MIGRATIONS = [
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
  // Renting workers: profiles (no secret in them), the instances rented, and what the cost guard did.
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

/** Opens (creating if needed) the server's SQLite file and applies pending migrations. */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // WAL with NORMAL sync: a crash of the process loses nothing; only an OS crash or power cut can
  // lose the last commits. FULL would fsync on every job update, the server's hottest write path.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const applied = db.pragma('user_version', { simple: true }) as number;
  db.transaction(() => {
    for (let version = applied; version < MIGRATIONS.length; version++) db.exec(MIGRATIONS[version] as string);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
  return db;
}
