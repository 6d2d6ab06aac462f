import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from './postgresServer.js';

// The PostgreSQL the database suites start, seen by a real client (node-postgres): a server of its own
// on loopback that takes its password and nobody without it, with databases made on demand.
describe('a PostgreSQL of the suite’s own', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterAll(async () => server?.stop());

  it('answers on 127.0.0.1 with its password, refuses a wrong one, and makes databases', async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    expect((await client.query('SELECT current_user, current_database()')).rows).toEqual([{ current_user: 'nodetool', current_database: 'nodetool' }]);
    await client.query('CREATE TABLE probe (id INTEGER PRIMARY KEY)');
    await client.end();
    const wrong = new pg.Client({ connectionString: server.url.replace(/:[0-9a-f]+@/, ':not-the-password@') });
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed for user "nodetool"/);
    const other = new pg.Client({ connectionString: await server.createDatabase('second') });
    await other.connect();
    // A new database: the first one's table is not there.
    expect((await other.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'probe'")).rows[0]).toEqual({ n: 0 });
    await other.end();
  });
});
