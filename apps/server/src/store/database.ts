import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

/** The database was written by a newer server: this one does not know its schema and must not touch it. */
export class NewerSchemaError extends Error {}

/** Opens (creating if needed) the server's SQLite file and applies pending migrations. */
export function openDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // WAL with NORMAL sync: a crash of the process loses nothing; only an OS crash or power cut can
  // lose the last commits. FULL would fsync on every job update, the server's hottest write path.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  try {
    migrate(db, migrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Runs every migration past the database's `user_version`, all or none (one transaction). */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (applied > latest) {
    throw new NewerSchemaError(
      `the database is at schema version ${applied}, newer than this server knows (${latest}): it was written by a newer release; use that release or a copy of the database`,
    );
  }
  db.transaction(() => {
    for (const migration of migrations.slice(applied)) {
      if (typeof migration.up === 'string') db.exec(migration.up);
      else migration.up(db);
    }
    db.pragma(`user_version = ${latest}`);
  })();
}
