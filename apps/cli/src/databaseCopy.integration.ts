import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, RELEASED_VERSION } from '@nt/data';
import { RELEASED_MIGRATION_SQL } from '@nt/data/testing';
import { startPostgres, startS3Server, type PostgresServer, type S3TestServer } from '@nt/test-fixtures';

// Moving from SQLite to Postgres as a team does: a database the previous release made, copied by
// `nodetool db copy` into an empty Postgres, then read back there.

const BIN = fileURLToPath(new URL('../bin/nodetool.js', import.meta.url));
const AT = '2026-11-20T10:00:00.000Z';
const GRAPH = { nodes: [{ id: 'say', type: 'fixtures.Echo', data: { value: 'kept' } }], edges: [] };
const PROFILE = {
  name: 'cheap-4090',
  provider: 'runpod',
  gpu_type: 'NVIDIA GeForce RTX 4090',
  gpu_count: 1,
  image: 'ghcr.io/example/nodetool-hf-worker:1',
  volume_gb: 50,
  volume_mount: '/workspace',
  container_disk_gb: 30,
  cuda_min: '12.1',
  max_price_per_hour: 0.9,
  api_key_env: 'RUNPOD_API_KEY',
  port: 7777,
  tls: true,
  guard: { idle_stop_minutes: 15, max_hours: 8, max_spend: 10, on_stopped_run: 'restart' },
};

function nodetool(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of ['DATABASE_URL', 'DATABASE_URL_FILE', 'NODETOOL_DB', 'PGPASSWORD', 'ASSET_BUCKET']) if (!(name in env)) delete childEnv[name];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: childEnv }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A SQLite file as the previous release left it: its migrations' SQL as shipped, a row in each of its tables. */
function previousReleaseDatabase(withInlineBytes = false): string {
  const path = join(mkdtempSync(join(tmpdir(), 'nt-copy-src-')), 'server.db');
  const db = new Database(path);
  RELEASED_MIGRATION_SQL.forEach((sql) => db.exec(sql));
  db.pragma(`user_version = ${RELEASED_VERSION}`);
  db.prepare('INSERT INTO workflows VALUES (?, ?, ?, ?, ?, ?)').run(
    'echo',
    'Echo',
    'says it',
    JSON.stringify({ id: 'echo', name: 'Echo', graph: GRAPH }),
    AT,
    AT,
  );
  const result = withInlineBytes
    ? { outputs: { picture: { type: 'bytes', size: 3, base64: 'AAEC' } } }
    : { outputs: { out: 'kept' }, nodes: {}, duration_ms: 9 };
  db.prepare('INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
    'job-done',
    'echo',
    'completed',
    JSON.stringify(GRAPH),
    '{}',
    JSON.stringify(result),
    null,
    AT,
    AT,
  );
  db.prepare('INSERT INTO worker_profiles VALUES (?, ?, ?, ?)').run(PROFILE.name, JSON.stringify(PROFILE), AT, AT);
  db.prepare(
    `INSERT INTO rented_workers (id, provider, instance_id, name, profile, state, stage, gpu, price_per_hour, token_file, tls_fingerprint, attached, attach_requested, created_at, running_since, spent_before, last_activity, error)
     VALUES ('runpod:pod-1', 'runpod', 'pod-1', 'nodetool-cheap-4090-ab12', 'cheap-4090', 'stopped', 'stopped: idle', 'NVIDIA GeForce RTX 4090', 0.69, '/nonexistent/token', NULL, 0, 0, ?, NULL, 1.25, 0, NULL)`,
  ).run(AT);
  db.prepare('INSERT INTO guard_events (at, worker, action, reason, detail) VALUES (?, ?, ?, ?, ?)').run(AT, 'runpod:pod-1', 'stop', 'idle', 'idle for 15 min');
  db.close();
  return path;
}

describe('nodetool db copy', () => {
  let postgres: PostgresServer;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 60_000);
  afterAll(() => postgres?.stop());

  it('copies a database the previous release made into an empty Postgres, leaving the source as it was', async () => {
    const source = previousReleaseDatabase();
    const url = await postgres.createDatabase('copy_target');
    const file = join(mkdtempSync(join(tmpdir(), 'nt-copy-')), 'url');
    writeFileSync(file, url, { mode: 0o600 });
    const copied = await nodetool(['db', 'copy', '--from', `sqlite:${source}`], { DATABASE_URL_FILE: file });
    expect(copied.stderr).not.toContain(new URL(url).password);
    expect(copied).toMatchObject({ code: 0 });
    expect(copied.stdout).toMatch(
      /^copied SQLite .* to Postgres nodetool@127\.0\.0\.1:\d+\/copy_target: 1 workflows, 1 jobs, 0 assets, 0 asset_refs, 1 worker_profiles, 1 rented_workers, 1 guard_events, 0 rent_periods, 0 profile_catalogs/,
    );
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      expect((await db.query('SELECT id, name FROM workflows')).rows).toEqual([{ id: 'echo', name: 'Echo' }]);
      expect(JSON.parse((await db.query("SELECT result FROM jobs WHERE id = 'job-done'")).rows[0].result)).toMatchObject({ outputs: { out: 'kept' } });
      expect((await db.query('SELECT id, attached, spent_before FROM rented_workers')).rows).toEqual([{ id: 'runpod:pod-1', attached: 0, spent_before: 1.25 }]);
      // The next guard event gets a new id after the copied ones.
      const next = await db.query("INSERT INTO guard_events (at, worker, action, reason, detail) VALUES ('t', 'w', 'a', 'r', 'd') RETURNING id");
      expect(Number(next.rows[0].id)).toBe(2);
    } finally {
      await db.end();
    }
    // The source is read from a snapshot: still the previous release's schema.
    const untouched = new Database(source, { readonly: true });
    expect(untouched.pragma('user_version', { simple: true })).toBe(RELEASED_VERSION);
    untouched.close();
  }, 60_000);

  it('refuses a target that is not empty, and a source whose inline results must first move into the asset store', async () => {
    const url = await postgres.createDatabase('copy_twice');
    const file = join(mkdtempSync(join(tmpdir(), 'nt-copy-')), 'url');
    writeFileSync(file, url, { mode: 0o600 });
    expect((await nodetool(['db', 'copy', '--from', previousReleaseDatabase()], { DATABASE_URL_FILE: file })).code).toBe(0);
    const again = await nodetool(['db', 'copy', '--from', previousReleaseDatabase()], { DATABASE_URL_FILE: file });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /the target is not empty \(it holds 1 workflows, 1 jobs, 1 worker_profiles, 1 rented_workers, 1 guard_events\): copy into a new, empty database/,
    );
    const inline = await nodetool(['db', 'copy', '--from', previousReleaseDatabase(true)], { DATABASE_URL_FILE: file });
    expect(inline.code).toBe(2);
    expect(inline.stderr).toMatch(/start the server on it once, then copy/);
  }, 60_000);

  it('moves the asset files of the source’s folder into the bucket, with their records; says which files it did not find', async () => {
    // A database of this release (the previous one kept no assets' records yet), as a server left it.
    const source = previousReleaseDatabase();
    await (await openDatabase({ kind: 'sqlite', path: source })).close();
    // Two assets recorded in the folder next to the database, as a server on one machine keeps them; one file is gone.
    const bytes = Buffer.from('the bytes of a kept result');
    const kept = createHash('sha256').update(bytes).digest('hex');
    const lost = createHash('sha256').update('never written').digest('hex');
    const folder = join(source, '..', 'assets', kept.slice(0, 2));
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, kept), bytes);
    const db = new Database(source);
    for (const [id, size] of [
      [kept, bytes.length],
      [lost, 13],
    ] as const)
      db.prepare('INSERT INTO assets (id, content_type, size, location, created_at) VALUES (?, ?, ?, ?, ?)').run(
        id,
        'text/plain',
        size,
        `local:${id.slice(0, 2)}/${id}`,
        AT,
      );
    db.close();
    const s3: S3TestServer = await startS3Server();
    try {
      const client = new S3Client({
        endpoint: s3.endpoint,
        region: s3.region,
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      });
      await client.send(new CreateBucketCommand({ Bucket: 'team-assets' }));
      const url = await postgres.createDatabase('copy_assets');
      const file = join(mkdtempSync(join(tmpdir(), 'nt-copy-')), 'url');
      writeFileSync(file, url, { mode: 0o600 });
      const copied = await nodetool(['db', 'copy', '--from', `sqlite:${source}`], {
        DATABASE_URL_FILE: file,
        ASSET_BUCKET: 'team-assets',
        S3_ENDPOINT_URL: s3.endpoint,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        S3_REGION: s3.region,
      });
      expect(copied.stdout).toMatch(/uploaded 1 asset file\(s\) from .*assets to the bucket team-assets; their records point there/);
      expect(copied.stderr).toMatch(new RegExp(`1 asset file\\(s\\) are not in .*assets \\(${lost}\\): their records still point at the folder`));
      expect(copied.code).toBe(1);
      expect(copied.stderr + copied.stdout).not.toContain(s3.secretAccessKey);
      const object = await client.send(new GetObjectCommand({ Bucket: 'team-assets', Key: `assets/${kept}` }));
      expect(Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray())).toEqual(bytes);
      const target = new pg.Client({ connectionString: url });
      await target.connect();
      try {
        const locations = Object.fromEntries((await target.query('SELECT id, location FROM assets')).rows.map((row) => [row.id, row.location]));
        expect(locations).toEqual({ [kept]: `s3:team-assets/assets/${kept}`, [lost]: `local:${lost.slice(0, 2)}/${lost}` });
      } finally {
        await target.end();
      }
      // The source folder is only read.
      expect(readFileSync(join(folder, kept))).toEqual(bytes);
    } finally {
      await s3.close();
    }
  }, 120_000);

  it('refuses a password on the command line, naming where it goes instead', async () => {
    const refused = await nodetool(['db', 'copy', '--from', previousReleaseDatabase(), '--to', 'postgres://nodetool:visible-in-ps-5517@127.0.0.1:5432/x']);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringMatching(/--to holds a password, .*PGPASSWORD, or give the target as DATABASE_URL_FILE/) });
    expect(refused.stderr).not.toContain('visible-in-ps-5517');
  });
});
