import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration, type MigrationContext } from './migrations.js';

export type Db = Database.Database;

/** The database was written by a newer server: this one does not know its schema and must not touch it. */
export class NewerSchemaError extends Error {}

/**
 * Opens (creating if needed) the server's SQLite file and applies pending migrations, up to one that has
 * data to move into the asset store: that one, and those after it, wait for finishMigrations.
 */
export async function openDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS): Promise<Db> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = openSqlite(path);
  db.pragma('journal_mode = WAL');
  // WAL with NORMAL sync: a crash of the process loses nothing; only an OS crash or power cut can
  // lose the last commits. FULL would fsync on every job update, the server's hottest write path.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  try {
    await migrate(db, {}, migrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** The SQLite file, or an error that says how to build the native part `npm run smoke` leaves unbuilt. */
function openSqlite(path: string): Db {
  try {
    return new Database(path);
  } catch (error) {
    if (/bindings file|NODE_MODULE_VERSION|better_sqlite3\.node/.test((error as Error).message))
      throw new Error(
        "SQLite's native part (better-sqlite3) is not built: `npm run smoke` skips it to save time, and every Nx target of the server builds it first; for a server started by hand, run `node tools/setup/ensure-install.mjs --native` once",
        { cause: error },
      );
    throw error;
  }
}

/** The migrations openDatabase left for want of the asset store, now that it exists (made over `db`). */
export async function finishMigrations(db: Db, context: MigrationContext, migrations: readonly Migration[] = MIGRATIONS): Promise<void> {
  await migrate(db, context, migrations);
}

/**
 * Runs every migration past the database's `user_version`, in order: a schema change in one
 * transaction with its version bump, a data move (upAsync) row by row, then its version bump. Stops
 * before a data move that needs what `context` lacks.
 */
async function migrate(db: Db, context: MigrationContext, migrations: readonly Migration[]): Promise<void> {
  const applied = db.pragma('user_version', { simple: true }) as number;
  if (applied > migrations.length) {
    throw new NewerSchemaError(
      `the database is at schema version ${applied}, newer than this server knows (${migrations.length}): it was written by a newer release; use that release or a copy of the database`,
    );
  }
  for (const migration of migrations.slice(applied)) {
    if (migration.upAsync && !(await migration.upAsync(db, context))) return;
    db.transaction(() => {
      if (typeof migration.up === 'string') db.exec(migration.up);
      else migration.up?.(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
