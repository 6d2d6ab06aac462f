import { existsSync } from 'node:fs';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type pg from 'pg';
import type { DatabaseTarget } from './databaseTarget.js';
import { migratePostgres, postgresVersion } from './postgres/migratePostgres.js';
import { openPostgresPool } from './postgres/openPostgres.js';
import { POSTGRES_MIGRATIONS } from './postgres/postgresMigrations.js';
import { migrateSqlite, openSqlite, openSqliteReadOnly, sqliteVersion, type SqliteHandle } from './sqlite/openSqlite.js';
import { MIGRATIONS, type MigrationContext } from './sqlite/sqliteMigrations.js';
import type { Tables } from './schema.js';

/** The server's database, open and migrated: typed queries for both kinds, and each kind's own handle. */
export interface Db {
  readonly kind: DatabaseTarget['kind'];
  readonly target: DatabaseTarget;
  readonly query: Kysely<Tables>;
  /** SQLite's own handle (its migration chain, and tests that look at the file); null on Postgres. */
  readonly sqlite: SqliteHandle | null;
  /** Postgres's pool (advisory locks, LISTEN); null on SQLite. */
  readonly pool: pg.Pool | null;
  close(): Promise<void>;
}

/**
 * Opens the database and brings its schema up to date: SQLite's chain up to a data move that waits for
 * finishMigrations; Postgres's whole chain under its lock.
 */
export async function openDatabase(target: DatabaseTarget): Promise<Db> {
  if (target.kind === 'sqlite') {
    const sqlite = await openSqlite(target.path);
    const query = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) });
    return { kind: 'sqlite', target, query, sqlite, pool: null, close: () => query.destroy() };
  }
  const pool = openPostgresPool(target.url);
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const query = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  // Kysely ends the pool only if it queried through it: the pool is ended here either way, so nothing keeps the process up.
  const close = async () => {
    await query.destroy();
    if (!pool.ended) await pool.end();
  };
  return { kind: 'postgres', target, query, sqlite: null, pool, close };
}

/** The migrations openDatabase left for want of the asset store, now that it exists (SQLite's data moves; Postgres has none). */
export async function finishMigrations(db: Db, context: MigrationContext): Promise<void> {
  if (db.sqlite) await migrateSqlite(db.sqlite, context);
}

/** Where the schema stands: the version applied and the newest this release knows. */
export async function schemaVersion(db: Db): Promise<{ applied: number; known: number }> {
  if (db.sqlite) return { applied: sqliteVersion(db.sqlite), known: MIGRATIONS.length };
  return { applied: await postgresVersion(db.pool as pg.Pool), known: POSTGRES_MIGRATIONS.length };
}

/** Where the schema of a database stands, changing nothing (and creating nothing): `nodetool db status`. */
export async function inspectSchema(target: DatabaseTarget): Promise<{ applied: number; known: number; exists: boolean }> {
  if (target.kind === 'sqlite') {
    if (target.path !== ':memory:' && !existsSync(target.path)) return { applied: 0, known: MIGRATIONS.length, exists: false };
    const sqlite = openSqliteReadOnly(target.path);
    try {
      return { applied: sqliteVersion(sqlite), known: MIGRATIONS.length, exists: true };
    } finally {
      sqlite.close();
    }
  }
  const pool = openPostgresPool(target.url);
  try {
    return { applied: await postgresVersion(pool), known: POSTGRES_MIGRATIONS.length, exists: true };
  } finally {
    await pool.end();
  }
}
