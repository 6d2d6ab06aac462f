import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { configFromEnv } from '../config.js';
import { startServer, type RunningServer } from '../server.js';
import { MIGRATIONS, RELEASED_VERSION, finishMigrations, openDatabase } from '@nt/data';
import { RELEASED_MIGRATION_SQL, RENTED_WORKERS_BEFORE_A3559EB } from '@nt/data/testing';

// A user's database was written by an older release. Each case builds one as that release left it (its
// migrations' SQL as shipped, rows as it wrote them), then lets this server open it and read it back.

const AT = '2026-11-20T10:00:00.000Z';
const GRAPH = {
  nodes: [
    { id: 'say', type: 'fixtures.Echo', data: { value: 'kept' } },
    { id: 'shown', type: 'nodetool.workflows.base_node.Preview', data: { name: 'out' } },
  ],
  edges: [{ source: 'say', sourceHandle: 'output', target: 'shown', targetHandle: 'value' }],
};
const RESULT = { outputs: { out: 'kept' }, nodes: { say: { type: 'fixtures.Echo', status: 'completed', duration_ms: 3 } }, duration_ms: 9 };
/** A PNG's first bytes and more, as releases before the asset store kept binary results: base64 in the row. */
const BYTES = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 5)]);
const INLINE = { type: 'bytes', size: BYTES.length, base64: BYTES.toString('base64') };
const BINARY_RESULT = {
  outputs: { picture: INLINE },
  nodes: { img: { type: 'fixtures.MakeBytes', status: 'completed', duration_ms: 2, outputs: { output: INLINE } } },
  duration_ms: 5,
};
/** A profile as releases up to RELEASED_VERSION stored it (before max_instances existed). */
const OLD_PROFILE = {
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

/** The schema as a release left it: its first `version` migrations, migration 5 optionally in its first form. */
function databaseAt(path: string, version: number, rentedWorkersSql = RELEASED_MIGRATION_SQL[4] as string): void {
  const db = new Database(path);
  RELEASED_MIGRATION_SQL.slice(0, version).forEach((sql, index) => db.exec(index === 4 ? rentedWorkersSql : sql));
  db.pragma(`user_version = ${version}`);
  fill(db, version, rentedWorkersSql === RENTED_WORKERS_BEFORE_A3559EB);
  db.close();
}

/** Rows as the release at `version` wrote them. */
function fill(db: Database.Database, version: number, withoutAttachRequested: boolean): void {
  if (version >= 1) {
    db.prepare('INSERT INTO workflows VALUES (?, ?, ?, ?, ?, ?)').run(
      'echo',
      'Echo',
      'says what it is told',
      JSON.stringify({ id: 'echo', name: 'Echo', graph: GRAPH }),
      AT,
      AT,
    );
  }
  if (version >= 2) {
    db.prepare('INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      'job-done',
      'echo',
      'completed',
      JSON.stringify(GRAPH),
      '{}',
      JSON.stringify(RESULT),
      null,
      AT,
      AT,
    );
    db.prepare('INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      'job-failed',
      null,
      'failed',
      JSON.stringify(GRAPH),
      '{"x":1}',
      null,
      'node "say" failed',
      AT,
      AT,
    );
    db.prepare('INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      'job-bytes',
      null,
      'completed',
      JSON.stringify(GRAPH),
      '{}',
      JSON.stringify(BINARY_RESULT),
      null,
      AT,
      AT,
    );
  }
  if (version >= 4) db.prepare('INSERT INTO worker_profiles VALUES (?, ?, ?, ?)').run(OLD_PROFILE.name, JSON.stringify(OLD_PROFILE), AT, AT);
  if (version >= 5) {
    const columns = withoutAttachRequested ? '' : ', attach_requested';
    db.prepare(
      `INSERT INTO rented_workers (id, provider, instance_id, name, profile, state, stage, gpu, price_per_hour, token_file, tls_fingerprint, attached${columns}, created_at, running_since, spent_before, last_activity, error)
       VALUES ('runpod:pod-1', 'runpod', 'pod-1', 'nodetool-cheap-4090-ab12', 'cheap-4090', 'stopped', 'stopped: idle', 'NVIDIA GeForce RTX 4090', 0.69, '/nonexistent/token', NULL, 0${withoutAttachRequested ? '' : ', 0'}, ?, NULL, 1.25, 0, NULL)`,
    ).run(AT);
  }
  if (version >= 6)
    db.prepare('INSERT INTO guard_events (at, worker, action, reason, detail) VALUES (?, ?, ?, ?, ?)').run(
      AT,
      'runpod:pod-1',
      'stop',
      'idle',
      'idle for 15 min',
    );
}

/** Every table's columns (by name: a column added later sits at the end) and every index, as SQLite reports them. */
function schemaOf(path: string): Record<string, unknown> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    const schema: Record<string, unknown> = {};
    for (const table of tables) {
      const columns = db.prepare('SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)').all(table) as Array<{ name: string }>;
      schema[table] = columns.sort((a, b) => a.name.localeCompare(b.name));
    }
    schema['(indexes)'] = db.prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all();
    schema['(user_version)'] = db.pragma('user_version', { simple: true });
    return schema;
  } finally {
    db.close();
  }
}

const scratch = () => join(mkdtempSync(join(tmpdir(), 'nt-migrate-')), 'server.db');

async function serverOn(dbPath: string): Promise<RunningServer> {
  const config = configFromEnv({ HOST: '127.0.0.1', PORT: '0', NODETOOL_DB: dbPath, NODETOOL_LOCAL_WORKER: '0' });
  return startServer({ ...config, webRoot: null });
}

async function get(server: RunningServer, path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(server.url + path);
  return { status: response.status, body: await response.json() };
}

describe('migrations', () => {
  let server: RunningServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('are numbered 1, 2, 3, … with no gap', () => {
    expect(MIGRATIONS.map((migration) => migration.version)).toEqual(MIGRATIONS.map((_, index) => index + 1));
  });

  it('leave every released migration as it shipped (a change is a new migration, never an edit)', () => {
    expect(RELEASED_MIGRATION_SQL).toHaveLength(RELEASED_VERSION);
    MIGRATIONS.slice(0, RELEASED_VERSION).forEach((migration, index) => {
      expect(migration.up, `migration ${migration.version} (${migration.name}) was released; add a new migration instead of editing it`).toBe(
        RELEASED_MIGRATION_SQL[index],
      );
    });
  });

  const versions = Array.from({ length: RELEASED_VERSION + 1 }, (_, version) => version);
  it.each(versions)('upgrade a database at schema version %i to the current schema, rows and all', async (version) => {
    const fresh = scratch();
    await (await openDatabase({ kind: 'sqlite', path: fresh })).close();
    const old = scratch();
    databaseAt(old, version);

    server = await serverOn(old);
    expect(schemaOf(old)).toEqual(schemaOf(fresh));
    await expectRowsOf(server, version);
  });

  it('add rented_workers.attach_requested to a database made between the two commits of a3559eb', async () => {
    const old = scratch();
    databaseAt(old, RELEASED_VERSION, RENTED_WORKERS_BEFORE_A3559EB);
    const fresh = scratch();
    await (await openDatabase({ kind: 'sqlite', path: fresh })).close();

    server = await serverOn(old);
    expect(schemaOf(old)).toEqual(schemaOf(fresh));
    await expectRowsOf(server, RELEASED_VERSION);
  });

  it('leave a data move for finishMigrations when rows need the asset store, and run it once the store is given', async () => {
    const old = scratch();
    databaseAt(old, RELEASED_VERSION);
    const opened = await openDatabase({ kind: 'sqlite', path: old });
    const db = opened.sqlite as NonNullable<typeof opened.sqlite>;
    // Every schema step ran; the move into assets waits, its rows untouched.
    const waiting = MIGRATIONS.findIndex((migration) => migration.upAsync);
    expect(db.pragma('user_version', { simple: true })).toBe(waiting);
    expect(db.prepare(`SELECT result FROM jobs WHERE id = 'job-bytes'`).pluck().get()).toMatch(/"type":"bytes"/);
    const imported: string[] = [];
    const ref = { type: 'asset', id: 'a1', content_type: 'image/png', size: BYTES.length, url: '/api/assets/a1' } as const;
    await finishMigrations(opened, { assets: { importBytes: async (bytes, holder) => (imported.push(`${holder.jobId}:${bytes.length}`), ref) } });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(imported).toEqual([`job-bytes:${BYTES.length}`, `job-bytes:${BYTES.length}`]);
    expect(JSON.parse(db.prepare(`SELECT result FROM jobs WHERE id = 'job-bytes'`).pluck().get() as string).outputs.picture).toEqual(ref);
    await opened.close();
  });

  it('refuse a database written by a newer release, naming both versions, and leave it as it was', async () => {
    const path = scratch();
    await (await openDatabase({ kind: 'sqlite', path })).close();
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 3}`);
    db.close();
    await expect(openDatabase({ kind: 'sqlite', path })).rejects.toThrow(
      new RegExp(`schema version ${MIGRATIONS.length + 3}, newer than this server knows \\(${MIGRATIONS.length}\\)`),
    );
    expect(schemaOf(path)['(user_version)']).toBe(MIGRATIONS.length + 3);
  });
});

/** What the API answers for the rows the old release wrote. */
async function expectRowsOf(server: RunningServer, version: number): Promise<void> {
  if (version >= 1) {
    expect((await get(server, '/api/workflows/echo')).body).toMatchObject({
      id: 'echo',
      name: 'Echo',
      description: 'says what it is told',
      document: { graph: GRAPH },
    });
    expect((await get(server, '/api/workflows')).body.workflows).toEqual([expect.objectContaining({ id: 'echo', node_count: 2, updated_at: AT })]);
  }
  if (version >= 2) {
    expect((await get(server, '/api/jobs/job-done')).body).toMatchObject({
      id: 'job-done',
      workflow_id: 'echo',
      status: 'completed',
      graph: GRAPH,
      result: RESULT,
      finished_at: AT,
    });
    expect((await get(server, '/api/jobs/job-failed')).body).toMatchObject({ status: 'failed', params: { x: 1 }, result: null, error: 'node "say" failed' });
    expect((await get(server, '/api/jobs')).body.jobs.map((job: { id: string }) => job.id).sort()).toEqual(['job-bytes', 'job-done', 'job-failed']);
    // Its inline bytes became an asset: the record refers to it, the asset serves the same bytes.
    const moved = (await get(server, '/api/jobs/job-bytes')).body.result;
    const id = createHash('sha256').update(BYTES).digest('hex');
    const ref = { type: 'asset', id, content_type: 'image/png', size: BYTES.length, url: `/api/assets/${id}` };
    expect(moved.outputs.picture).toEqual(ref);
    expect(moved.nodes.img.outputs.output).toEqual(ref);
    const served = await fetch(server.url + ref.url);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(BYTES)).toBe(true);
  }
  if (version >= 4) {
    // Fields a later release added take their defaults.
    expect((await get(server, '/api/worker-profiles/cheap-4090')).body).toEqual({
      ...OLD_PROFILE,
      max_instances: 2,
      group: 'cheap-4090',
      namespaces: [],
      interruptible: false,
    });
  }
  if (version >= 5) {
    expect((await get(server, '/api/rented-workers/runpod:pod-1')).body).toMatchObject({
      id: 'runpod:pod-1',
      state: 'stopped',
      attached: false,
      cost_so_far: 1.25,
      // No fingerprint: rented before TLS was required, so reached as it was then.
      url: 'runpod://pod-1',
    });
  }
  if (version >= 6) {
    expect((await get(server, '/api/rented-workers/events')).body.events).toEqual([
      { id: 1, at: AT, worker: 'runpod:pod-1', action: 'stop', reason: 'idle', detail: 'idle for 15 min' },
    ]);
  }
  // Nothing else appeared on the way.
  expect((await get(server, '/api/workflows')).body.workflows).toHaveLength(version >= 1 ? 1 : 0);
}
