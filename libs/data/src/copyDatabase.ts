import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { DatabaseTarget } from './databaseTarget.js';
import { openDatabase, schemaVersion, type Db } from './openDatabase.js';
import type { Tables } from './schema.js';
import { openSqliteReadOnly } from './sqlite/openSqlite.js';

/**
 * What a copy carries, in an order that keeps every reference whole: workflows, runs, assets' records,
 * profiles, rented workers and what they billed. Not the sessions (a browser logs in again), the login
 * counts, the replicas or the events of runs that ended: they belong to the server that made them.
 */
export const COPIED_TABLES = [
  'workflows',
  'jobs',
  'assets',
  'asset_refs',
  'worker_profiles',
  'rented_workers',
  'guard_events',
  'rent_periods',
  'profile_catalogs',
] as const satisfies ReadonlyArray<keyof Tables>;

type CopiedTable = (typeof COPIED_TABLES)[number];

/** Rows per read and write: memory holds one batch, never a whole table. */
const BATCH = 500;

/** Each table's key, to page through it in a stable order. */
const KEYS: Record<CopiedTable, string> = {
  workflows: 'id',
  jobs: 'id',
  assets: 'id',
  asset_refs: 'asset_id',
  worker_profiles: 'name',
  rented_workers: 'id',
  guard_events: 'id',
  rent_periods: 'id',
  profile_catalogs: 'profile',
};

export class CopyRefusedError extends Error {}

/**
 * Copies one database into another (SQLite to Postgres when a team outgrows one machine; either way).
 * The source is read from a snapshot brought up to this release's schema (a SQLite file is copied first,
 * never changed); the target must hold nothing yet. Answers the rows copied per table.
 */
export async function copyDatabase(
  from: DatabaseTarget,
  to: DatabaseTarget,
  progress: (table: CopiedTable, rows: number) => void = () => undefined,
): Promise<Record<CopiedTable, number>> {
  const snapshot = from.kind === 'sqlite' ? await snapshotOf(from.path) : null;
  const source = await openDatabase(snapshot ? { kind: 'sqlite', path: snapshot.path } : from);
  try {
    const { applied, known } = await schemaVersion(source);
    if (applied < known)
      throw new CopyRefusedError(
        'the source holds results an older release kept inline, which move into the asset store when this release’s server opens it: start the server on it once, then copy',
      );
    const target = await openDatabase(to);
    try {
      await refuseNonEmpty(target);
      const copied = {} as Record<CopiedTable, number>;
      for (const table of COPIED_TABLES) {
        copied[table] = await copyTable(source, target, table);
        progress(table, copied[table]);
      }
      await continueIdentities(target);
      return copied;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
    snapshot?.remove();
  }
}

/** A consistent copy of a SQLite file (SQLite's own backup, safe while a server writes to it), in a folder of its own. */
async function snapshotOf(path: string): Promise<{ path: string; remove(): void }> {
  if (!existsSync(path)) throw new CopyRefusedError(`there is no SQLite database at ${path}`);
  const dir = mkdtempSync(join(tmpdir(), 'nt-copy-'));
  const copy = join(dir, 'source.db');
  const live = openSqliteReadOnly(path);
  try {
    await live.backup(copy);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new CopyRefusedError(`${path} could not be read as a SQLite database: ${(error as Error).message}`);
  } finally {
    live.close();
  }
  return { path: copy, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function refuseNonEmpty(target: Db): Promise<void> {
  const held: string[] = [];
  for (const table of COPIED_TABLES) {
    const row = await target.query
      .selectFrom(table)
      .select(({ fn }) => fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    if (Number(row.count) > 0) held.push(`${row.count} ${table}`);
  }
  if (held.length) throw new CopyRefusedError(`the target is not empty (it holds ${held.join(', ')}): copy into a new, empty database`);
}

async function copyTable(source: Db, target: Db, table: CopiedTable): Promise<number> {
  let copied = 0;
  for (let offset = 0; ; offset += BATCH) {
    const rows = (await source.query.selectFrom(table).selectAll().orderBy(sql.ref(KEYS[table])).limit(BATCH).offset(offset).execute()) as Array<
      Record<string, unknown>
    >;
    if (!rows.length) return copied;
    // A run another server held is nobody's here: it is interrupted when the new server starts.
    const values = table === 'jobs' ? rows.map((row) => ({ ...row, owner: null, lease_until: null, worker: null, waits_for_group: null })) : rows;
    await target.query
      .insertInto(table)
      .values(values as never)
      .execute();
    copied += rows.length;
  }
}

/** Postgres's identity columns go on from the highest id copied, so the next event or period gets a new one. */
async function continueIdentities(target: Db): Promise<void> {
  if (target.kind !== 'postgres') return;
  for (const table of ['guard_events', 'rent_periods'] as const)
    await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), COALESCE((SELECT MAX(id) FROM ${sql.table(table)}), 0) + 1, false)`.execute(target.query);
}
