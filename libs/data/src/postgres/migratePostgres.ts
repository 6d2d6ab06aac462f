import type pg from 'pg';
import { NewerSchemaError } from '../newerSchemaError.js';
import { POSTGRES_MIGRATIONS, type PostgresMigration } from './postgresMigrations.js';

/** The advisory lock every replica's migration takes: any number, the same in every release. */
const MIGRATION_LOCK = 7_702_901_001;

/**
 * Brings a Postgres database to this release's schema, in one transaction under an advisory lock: two
 * replicas starting together on an empty database migrate it once (the second waits for the lock, then
 * finds nothing to do). DDL is transactional in Postgres, so a failed step leaves the database as it was.
 * Answers the versions it applied.
 */
export async function migratePostgres(pool: pg.Pool, migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS nodetool_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const applied = await versionOf(client);
    if (applied > migrations.length) throw new NewerSchemaError(applied, migrations.length);
    const pending = migrations.slice(applied);
    for (const migration of pending) {
      await client.query(migration.up);
      await client.query('INSERT INTO nodetool_schema (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    await client.query('COMMIT');
    return pending.map((migration) => migration.version);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The schema version a Postgres database is at (0: none applied). */
export async function postgresVersion(pool: pg.Pool | pg.PoolClient): Promise<number> {
  const exists = await pool.query("SELECT to_regclass('nodetool_schema') IS NOT NULL AS present");
  return exists.rows[0]?.present ? versionOf(pool) : 0;
}

async function versionOf(client: pg.Pool | pg.PoolClient): Promise<number> {
  const { rows } = await client.query('SELECT COALESCE(MAX(version), 0) AS version FROM nodetool_schema');
  return Number(rows[0]?.version ?? 0);
}
