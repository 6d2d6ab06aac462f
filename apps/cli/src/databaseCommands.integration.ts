import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, POSTGRES_MIGRATIONS } from '@nt/data';
import { startPostgres, type PostgresServer } from '@nt/test-fixtures';

const BIN = fileURLToPath(new URL('../bin/nodetool.js', import.meta.url));

/** The built `nodetool`, with only the database settings given (none of this machine's). */
function nodetool(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of ['DATABASE_URL', 'DATABASE_URL_FILE', 'NODETOOL_DB']) if (!(name in env)) delete childEnv[name];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: childEnv }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('nodetool db', () => {
  let postgres: PostgresServer;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 60_000);
  afterAll(() => postgres?.stop());

  it('migrates the SQLite file at NODETOOL_DB, and says where its schema stands before and after', async () => {
    const env = { NODETOOL_DB: join(mkdtempSync(join(tmpdir(), 'nt-cli-db-')), 'server.db') };
    expect((await nodetool(['db', 'status'], env)).stdout).toMatch(/^SQLite .*server\.db: no database yet/);
    const migrated = await nodetool(['db', 'migrate'], env);
    expect(migrated).toMatchObject({ code: 0, stdout: expect.stringContaining(`migrated, schema version ${MIGRATIONS.length} (up to date)`) });
    expect((await nodetool(['db', 'status'], env)).stdout).toContain(`schema version ${MIGRATIONS.length} of ${MIGRATIONS.length} (up to date)`);
  });

  it('migrates the Postgres at DATABASE_URL_FILE, and never prints its password', async () => {
    const url = await postgres.createDatabase('cli_db');
    const file = join(mkdtempSync(join(tmpdir(), 'nt-cli-db-')), 'url');
    writeFileSync(file, url, { mode: 0o600 });
    const env = { DATABASE_URL_FILE: file };
    const before = await nodetool(['db', 'status'], env);
    expect(before.stdout).toMatch(new RegExp(`^Postgres nodetool@127\\.0\\.0\\.1:\\d+/cli_db: schema version 0 of ${POSTGRES_MIGRATIONS.length}`));
    expect((await nodetool(['db', 'migrate'], env)).code).toBe(0);
    const after = await nodetool(['db', 'status'], env);
    expect(after.stdout).toContain(`schema version ${POSTGRES_MIGRATIONS.length} of ${POSTGRES_MIGRATIONS.length} (up to date)`);
    const password = new URL(url).password;
    for (const run of [before, after]) expect(run.stdout + run.stderr).not.toContain(password);
  });

  it('fails naming the database, without its password, when it cannot be reached; a URL that is not Postgres is a usage error', async () => {
    const unreachable = await nodetool(['db', 'migrate'], { DATABASE_URL: 'postgres://nodetool:pw-not-shown-5517@127.0.0.1:1/none' });
    expect(unreachable).toMatchObject({ code: 1, stderr: 'nodetool: Postgres nodetool@127.0.0.1:1/none: connect ECONNREFUSED 127.0.0.1:1\n' });
    const mysql = await nodetool(['db', 'status'], { DATABASE_URL: 'mysql://root:pw-not-shown-5517@db/x' });
    expect(mysql).toMatchObject({ code: 2, stderr: 'nodetool: DATABASE_URL must be a postgres:// URL, got one of scheme mysql\n' });
  });
});
