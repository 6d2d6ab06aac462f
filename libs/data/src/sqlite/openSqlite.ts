import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { NewerSchemaError } from '../newerSchemaError.js';
import { MIGRATIONS, type Migration, type MigrationContext } from './sqliteMigrations.js';

export type SqliteHandle = BetterSqlite3.Database;

/**
 * Opens (creating if needed) a SQLite file and applies pending migrations, up to one that has data to
 * move into the asset store: that one, and those after it, wait for migrateSqlite with a context.
 */
export async function openSqlite(path: string, migrations: readonly Migration[] = MIGRATIONS): Promise<SqliteHandle> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = openFile(path);
  db.pragma('journal_mode = WAL');
  // WAL with NORMAL sync: a crash of the process loses nothing; only an OS crash or power cut can
  // lose the last commits. FULL would fsync on every job update, the server's hottest write path.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Another process writing (a second server on the same file, `nodetool db`) makes us wait, not fail.
  db.pragma('busy_timeout = 5000');
  try {
    await migrateSqlite(db, {}, migrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** An existing SQLite file, opened to read only (`nodetool db status`, the source of a copy). */
export function openSqliteReadOnly(path: string): SqliteHandle {
  return openFile(path, { readonly: true, fileMustExist: true });
}

/** The SQLite file, or an error that says how to build the native part `npm run smoke` leaves unbuilt. */
function openFile(path: string, options: BetterSqlite3.Options = {}): SqliteHandle {
  try {
    return new BetterSqlite3(path, options);
  } catch (error) {
    if (/bindings file|NODE_MODULE_VERSION|better_sqlite3\.node/.test((error as Error).message))
      throw new Error(
        "SQLite's native part (better-sqlite3) is not built: `npm run smoke` skips it to save time, and every Nx target of the server builds it first; for a server started by hand, run `node tools/setup/ensure-install.mjs --native` once",
        { cause: error },
      );
    throw error;
  }
}

/**
 * Runs every migration past the database's `user_version`, in order: a schema change in one
 * transaction with its version bump, a data move (upAsync) row by row, then its version bump. Stops
 * before a data move that needs what `context` lacks.
 */
export async function migrateSqlite(db: SqliteHandle, context: MigrationContext, migrations: readonly Migration[] = MIGRATIONS): Promise<void> {
  const applied = sqliteVersion(db);
  if (applied > migrations.length) throw new NewerSchemaError(applied, migrations.length);
  for (const migration of migrations.slice(applied)) {
    if (migration.upAsync && !(await migration.upAsync(db, context))) return;
    db.transaction(() => {
      if (typeof migration.up === 'string') db.exec(migration.up);
      else migration.up?.(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

export function sqliteVersion(db: SqliteHandle): number {
  return db.pragma('user_version', { simple: true }) as number;
}
