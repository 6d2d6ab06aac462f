/**
 * TEST HELPER: a real PostgreSQL (Debian's `postgresql` package) of a suite's own: a fresh data
 * directory, a free 127.0.0.1 port, its Unix socket in that directory, no system service. Clients
 * connect over TCP with a password (SCRAM), as a server of ours would; nothing else on the machine can
 * use it. As root (a container, this CI) it runs as the package's `postgres` user, since PostgreSQL
 * refuses to run as root.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort.js';
import { REPO_ROOT } from './realWorker.js';

export interface PostgresServer {
  /** postgres://nodetool:<password>@127.0.0.1:<port>/nodetool */
  url: string;
  port: number;
  /** A fresh, empty database on the same server (for a test that needs its own). */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Installs postgresql when missing (tools/setup/ensure-system-packages.sh database); the directory of its binaries. */
export function ensurePostgres(): string {
  execFileSync('bash', [join(REPO_ROOT, 'tools', 'setup', 'ensure-system-packages.sh'), 'database'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  const bin = join('/usr/lib/postgresql', versions[0] ?? '', 'bin');
  if (!existsSync(join(bin, 'postgres'))) throw new Error(`postgresql is installed but ${bin}/postgres is missing`);
  return bin;
}

/** The user the server runs as: ourselves, or the package's `postgres` user when we are root. */
function runAs(): { uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = ensurePostgres();
  const owner = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'nt-postgres-'));
  const data = join(dir, 'data');
  const password = randomBytes(18).toString('hex');
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, password, { mode: 0o600 });
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(passwordFile, owner.uid, owner.gid);
  }
  chmodSync(dir, 0o700);
  // Its own directory as the working one: the postgres user may not enter ours.
  const as = { cwd: dir, ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) };
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'nodetool', `--pwfile=${passwordFile}`, '--auth-local=scram-sha-256', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-instructions'],
    {
      ...as,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const port = await freePort();
  const child: ChildProcess = spawn(join(bin, 'postgres'), ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'fsync=off'], {
    ...as,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const psql = (database: string, sql: string) =>
    execFileSync(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'nodetool', '-d', database, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], {
      env: { ...process.env, PGPASSWORD: password },
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString();
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited: ${stderr}`);
    try {
      psql('postgres', 'SELECT 1');
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections on 127.0.0.1:${port}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  psql('postgres', 'CREATE DATABASE nodetool');
  const urlOf = (database: string) => `postgres://nodetool:${password}@127.0.0.1:${port}/${database}`;
  return {
    url: urlOf('nodetool'),
    port,
    async createDatabase(name) {
      if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a database name: ${name}`);
      psql('postgres', `CREATE DATABASE ${name}`);
      return urlOf(name);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh, empty database on the Postgres at `serverUrl` (a suite's, from startPostgres), for one test
 * server: made over the wire, so a test process that did not start the server can make one.
 */
export async function createPostgresDatabase(serverUrl: string, name: string): Promise<string> {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a database name: ${name}`);
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
