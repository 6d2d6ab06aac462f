import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../openDatabase.js';
import { MIGRATIONS } from '../sqlite/sqliteMigrations.js';
import { DATABASE_KINDS, stopDatabases } from '../testing/bothDatabases.js';
import { migratePostgres } from './migratePostgres.js';
import { POSTGRES_MIGRATIONS } from './postgresMigrations.js';

const postgres = DATABASE_KINDS.find((kind) => kind.kind === 'postgres')!;
const sqlite = DATABASE_KINDS.find((kind) => kind.kind === 'sqlite')!;
afterAll(stopDatabases);

async function freshUrl(): Promise<string> {
  const target = await postgres.fresh();
  if (target.kind !== 'postgres') throw new Error('not postgres');
  return target.url;
}

describe('Postgres migrations', () => {
  it('migrate an empty database once when two replicas start together (the second waits for the lock, then finds nothing to do)', async () => {
    const url = await freshUrl();
    const pools = [new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url })];
    try {
      const applied = await Promise.all(pools.map((pool) => migratePostgres(pool)));
      expect(applied.map((versions) => versions.length).sort()).toEqual([0, POSTGRES_MIGRATIONS.length]);
      const { rows } = await pools[0]!.query('SELECT version, name FROM nodetool_schema ORDER BY version');
      expect(rows).toEqual(POSTGRES_MIGRATIONS.map(({ version, name }) => ({ version, name })));
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it("make every table and column SQLite's chain makes, with the same nullability (the baseline is SQLite's schema)", async () => {
    const lite = await openDatabase(await sqlite.fresh());
    const post = await openDatabase(await postgres.fresh());
    try {
      const liteColumns: string[] = [];
      const tables = lite
        .sqlite!.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .pluck()
        .all() as string[];
      for (const table of tables)
        for (const column of lite.sqlite!.prepare('SELECT name, "notnull" AS required, pk FROM pragma_table_info(?)').all(table) as Array<{
          name: string;
          required: number;
          pk: number;
        }>)
          liteColumns.push(`${table}.${column.name} ${column.required || column.pk ? 'not null' : 'null'}`);
      const { rows } = await post.pool!.query(
        "SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'nodetool_schema'",
      );
      const postColumns = rows.map((row) => `${row.table_name}.${row.column_name} ${row.is_nullable === 'YES' ? 'null' : 'not null'}`);
      expect(postColumns.sort()).toEqual(liteColumns.sort());
      expect(liteColumns.length).toBeGreaterThan(50);
    } finally {
      await lite.close();
      await post.close();
    }
  });

  it('refuse a database a newer release migrated, naming both versions, and leave it as it was', async () => {
    const url = await freshUrl();
    await (await openDatabase({ kind: 'postgres', url })).close();
    const pool = new pg.Pool({ connectionString: url });
    try {
      await pool.query("INSERT INTO nodetool_schema (version, name) VALUES (99, 'from the future')");
      await expect(openDatabase({ kind: 'postgres', url })).rejects.toThrow(
        `the database is at schema version 99, newer than this server knows (${POSTGRES_MIGRATIONS.length})`,
      );
      const { rows } = await pool.query('SELECT COUNT(*)::int AS count FROM nodetool_schema');
      expect(rows[0].count).toBe(POSTGRES_MIGRATIONS.length + 1);
    } finally {
      await pool.end();
    }
  });

  it('start from a baseline of SQLite migration 11 (no release ever made a Postgres database), then follow SQLite step for step', () => {
    expect(POSTGRES_MIGRATIONS[0]?.name).toBe("baseline: SQLite's schema at its migration 11");
    // Each later SQLite migration has its Postgres twin, under the same name.
    expect(POSTGRES_MIGRATIONS.slice(1).map((migration) => migration.name)).toEqual(MIGRATIONS.slice(11).map((migration) => migration.name));
  });

  it('upgrade a database left at each earlier Postgres version, rows and all', async () => {
    for (const version of POSTGRES_MIGRATIONS.slice(0, -1).map((migration) => migration.version)) {
      const url = await freshUrl();
      const pool = new pg.Pool({ connectionString: url });
      try {
        await migratePostgres(pool, POSTGRES_MIGRATIONS.slice(0, version));
        await pool.query("INSERT INTO workflows (id, name, document, created_at, updated_at) VALUES ('w', 'kept', '{}', 'a', 'b')");
        expect(await migratePostgres(pool)).toEqual(POSTGRES_MIGRATIONS.slice(version).map((migration) => migration.version));
        expect((await pool.query('SELECT name FROM workflows')).rows).toEqual([{ name: 'kept' }]);
      } finally {
        await pool.end();
      }
    }
  });
});
