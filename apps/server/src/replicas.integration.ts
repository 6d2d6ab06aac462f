import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS } from '@nt/data';
import { NO_REAL_PROVIDER, realInstances, startFixtureProviderApi } from '@nt/providers/testing';
import {
  spawnRealWorker,
  startPostgres,
  startServerProcess,
  workerConnected,
  type PostgresServer,
  type RealWorker,
  type ServerProcess,
} from '@nt/test-fixtures';

// Two server processes on one Postgres and two real workers, as a team runs them behind a load balancer.

const TOKEN = 'replicas-worker-token-7f3a91';
const LEASE_SECONDS = 3;
const node = (id: string, type: string, data: Record<string, unknown> = {}) => ({ id, type, data });
const sleepGraph = (seconds: number, steps = 2) => ({ nodes: [node('nap', 'fixtures.Sleep', { seconds, steps })], edges: [] });

let postgres: PostgresServer;
let workers: RealWorker[] = [];
let made = 0;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
  workers = await Promise.all([spawnRealWorker({ token: TOKEN }), spawnRealWorker({ token: TOKEN })]);
}, 120_000);
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.kill()));
  await postgres?.stop();
});
afterEach(async () => {
  for (const server of servers.splice(0)) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
});

/** A fresh database and one shared assets folder, as a team's replicas have. */
async function cluster(): Promise<{ url: string; assets: string }> {
  return { url: await postgres.createDatabase(`replicas_${++made}`), assets: mkdtempSync(join(tmpdir(), 'nt-replicas-assets-')) };
}

async function replica(on: { url: string; assets: string }, env: Record<string, string> = {}, workersFirst = true): Promise<ServerProcess> {
  const server = await startServerProcess({
    ...NO_REAL_PROVIDER,
    DATABASE_URL: on.url,
    NODETOOL_ASSETS_DIR: on.assets,
    NODETOOL_ASSETS_SHARED: '1',
    XDG_DATA_HOME: mkdtempSync(join(tmpdir(), 'nt-replica-data-')),
    NODETOOL_WORKER_URL: workers.map((worker) => worker.url).join(','),
    NODETOOL_WORKER_TOKEN: TOKEN,
    NODETOOL_RUN_LEASE_SECONDS: String(LEASE_SECONDS),
    ...env,
  });
  servers.push(server);
  if (workersFirst) await workerConnected(server.url);
  return server;
}

async function api(server: ServerProcess, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(server.url + path, {
    method,
    headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function until<T>(probe: () => Promise<T | false | undefined>, what: string, timeoutMs: number): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return { value, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const health = async (server: ServerProcess) => (await api(server, 'GET', '/health')).body as { replica: { id: string; leader: boolean } };

/** Renting through fixtures of the providers' APIs whose instances boot into real workers; the env every replica takes. */
async function withRenting(test: (renting: Record<string, string>, instances: ReturnType<typeof realInstances>) => Promise<void>, keys = 1): Promise<void> {
  const instances = realInstances();
  const providers = await startFixtureProviderApi(
    { runpod: `rpa_replicas_suite_key_000${keys}`, vast: `vast-replicas-suite-key-000${keys}` },
    { bootDelayMs: 300, runpodGpus: { 'NVIDIA L4': { price: 0.44 } }, onBoot: (boot) => instances.onBoot(boot), onHalt: (boot) => instances.onHalt(boot) },
  );
  try {
    // The key every replica seals and opens rented workers' tokens with.
    const key = join(mkdtempSync(join(tmpdir(), 'nt-replicas-key-')), 'secrets.key');
    writeFileSync(key, randomBytes(32).toString('hex'), { mode: 0o600 });
    await test(
      {
        ...providers.env(),
        NODETOOL_SECRETS_KEY_FILE: key,
        NODETOOL_WORKER_URL: '',
        NODETOOL_REQUIRE_WORKER: '0',
        NODETOOL_LOCAL_WORKER: '0',
        NODETOOL_SCALE_INTERVAL_MS: '300',
      },
      instances,
    );
  } finally {
    await instances.stopAll();
    await providers.close();
  }
}
const L4 = { image: 'ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4', provider: 'runpod', gpu_type: 'NVIDIA L4', max_price_per_hour: 1 };

describe('two server replicas on one Postgres', () => {
  it('migrate an empty database once when they start together, and one of them leads', async () => {
    const on = await cluster();
    const [a, b] = await Promise.all([replica(on), replica(on)]);
    const db = new pg.Client({ connectionString: on.url });
    await db.connect();
    try {
      expect((await db.query('SELECT version FROM nodetool_schema ORDER BY version')).rows.map((row) => row.version)).toEqual(
        POSTGRES_MIGRATIONS.map((migration) => migration.version),
      );
      expect((await db.query('SELECT COUNT(*)::int AS n FROM server_replicas')).rows[0].n).toBe(2);
    } finally {
      await db.end();
    }
    const { value: leaders } = await until(
      async () => {
        const flags = (await Promise.all([health(a as ServerProcess), health(b as ServerProcess)])).map((report) => report.replica.leader);
        return flags.some(Boolean) && flags;
      },
      'a leader',
      15_000,
    );
    expect(leaders.filter(Boolean)).toHaveLength(1);
  }, 120_000);

  it('complete every run started through either replica exactly once, each kept once in the database', async () => {
    const on = await cluster();
    const [a, b] = await Promise.all([replica(on), replica(on)]);
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        api(index % 2 ? (b as ServerProcess) : (a as ServerProcess), 'POST', '/api/run', { graph: sleepGraph(0.3), wait: true }),
      ),
    );
    expect(runs.map((run) => run.body.status)).toEqual(Array(8).fill('completed'));
    const ids = runs.map((run) => run.body.id as string);
    expect(new Set(ids).size).toBe(8);
    // Either replica answers for every run, whichever ran it.
    for (const id of ids) expect((await api(b as ServerProcess, 'GET', `/api/jobs/${id}`)).body.status).toBe('completed');
    expect((await api(a as ServerProcess, 'GET', '/api/jobs?limit=50')).body.jobs).toHaveLength(8);
  }, 120_000);

  it('show a browser on one replica the live events of a run the other runs, and cancel it from there', async () => {
    const on = await cluster();
    const [a, b] = await Promise.all([replica(on), replica(on)]);
    const started = await api(b as ServerProcess, 'POST', '/api/run', { graph: sleepGraph(3, 6) });
    expect(started.status).toBe(202);
    const jobId = started.body.job_id as string;
    const socket = new WebSocket(`${(a as ServerProcess).url.replace('http', 'ws')}/ws`);
    const messages: any[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
    await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
    socket.send(JSON.stringify({ command: 'subscribe', data: { job_id: jobId } }));
    // Progress of the sleeping node, sent by B, reaches the client on A as it happens.
    await until(async () => messages.some((message) => message.type === 'node_progress' && message.job_id === jobId), 'a live event from B on A', 15_000);
    const cancelled = await api(a as ServerProcess, 'POST', `/api/jobs/${jobId}/cancel`, {});
    expect(cancelled.status).toBe(202);
    const { value: ended } = await until(
      async () => messages.find((message) => message.type === 'job_update' && message.job_id === jobId && message.status === 'cancelled'),
      'the run cancelled on B, seen on A',
      15_000,
    );
    expect(ended.seq).toBeGreaterThan(1);
    const seqs = messages.filter((message) => message.job_id === jobId && typeof message.seq === 'number').map((message) => message.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
    socket.close();
  }, 120_000);

  it('mark a killed replica’s run interrupted within the lease, hand its leadership over, and keep serving on the survivor', async () => {
    const on = await cluster();
    const a = await replica(on);
    const b = await replica(on);
    const { value: leader } = await until(async () => ((await health(a)).replica.leader ? a : (await health(b)).replica.leader && b), 'a leader', 15_000);
    const survivor = leader === a ? b : a;
    const long = await api(leader, 'POST', '/api/run', { graph: sleepGraph(60, 60) });
    const jobId = long.body.job_id as string;
    await until(async () => (await api(survivor, 'GET', `/api/jobs/${jobId}`)).body.status === 'running', 'the long run running', 15_000);
    leader.child.kill('SIGKILL');
    const killedAt = Date.now();
    const { value: job } = await until(
      async () => {
        const seen = (await api(survivor, 'GET', `/api/jobs/${jobId}`)).body;
        return seen.status !== 'running' && seen;
      },
      'the run interrupted',
      LEASE_SECONDS * 1000 * 3,
    );
    const interruptedAfter = Date.now() - killedAt;
    expect(job).toMatchObject({ status: 'interrupted', error: expect.stringMatching(/replica running it stopped/) });
    expect(interruptedAfter).toBeLessThan(LEASE_SECONDS * 1000 * 2);
    const { ms: ledAfter } = await until(async () => (await health(survivor)).replica.leader, 'the survivor leading', LEASE_SECONDS * 1000 * 3);
    expect(ledAfter).toBeLessThan(LEASE_SECONDS * 1000 * 2);
    const next = await api(survivor, 'POST', '/api/run', { graph: sleepGraph(0.1), wait: true });
    expect(next.body.status).toBe('completed');
  }, 120_000);

  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'leave the queued runs of a replica stopped by %s to the other, which runs them',
    async (signal) => {
      const on = await cluster();
      // One run at a time on A: what it is asked for beyond that waits in its queue.
      const a = await replica(on, { NODETOOL_MAX_CONCURRENT_RUNS: '1' });
      const b = await replica(on);
      const running = (await api(a, 'POST', '/api/run', { graph: sleepGraph(30, 30) })).body.job_id as string;
      await until(async () => (await api(b, 'GET', `/api/jobs/${running}`)).body.status === 'running', 'the first run running on A', 15_000);
      const queued = await Promise.all([1, 2].map(async () => (await api(a, 'POST', '/api/run', { graph: sleepGraph(0.2) })).body.job_id as string));
      for (const id of queued) expect((await api(b, 'GET', `/api/jobs/${id}`)).body.status).toBe('queued');
      a.child.kill(signal);
      const { value: ended } = await until(
        async () => {
          const jobs = await Promise.all(queued.map(async (id) => (await api(b, 'GET', `/api/jobs/${id}`)).body));
          return jobs.every((job) => job.status === 'completed') && jobs;
        },
        'the queued runs completed on B',
        LEASE_SECONDS * 1000 * 4,
      );
      expect(ended.map((job: { status: string }) => job.status)).toEqual(['completed', 'completed']);
      // The run A was running when it stopped is not run again: it ended interrupted, saying why.
      const first = (await api(b, 'GET', `/api/jobs/${running}`)).body;
      await until(
        async () => (await api(b, 'GET', `/api/jobs/${running}`)).body.status === 'interrupted',
        'the running one interrupted',
        LEASE_SECONDS * 1000 * 3,
      );
      expect(first.status === 'running' || first.status === 'interrupted').toBe(true);
    },
    120_000,
  );

  it('let a run queued on a replica with no room go to the other, which has room: its caller on the first hears it done', async () => {
    const on = await cluster();
    const a = await replica(on, { NODETOOL_MAX_CONCURRENT_RUNS: '1' });
    const b = await replica(on);
    const long = (await api(a, 'POST', '/api/run', { graph: sleepGraph(10, 10) })).body.job_id as string;
    await until(async () => (await api(b, 'GET', `/api/jobs/${long}`)).body.status === 'running', 'the long run running on A', 15_000);
    const asked = Date.now();
    const second = await api(a, 'POST', '/api/run', { graph: sleepGraph(0.2), wait: true });
    const waited = Date.now() - asked;
    expect(second.body.status, JSON.stringify(second.body)).toBe('completed');
    // Done while A's only run still ran: B ran it.
    expect((await api(b, 'GET', `/api/jobs/${long}`)).body.status).toBe('running');
    expect(waited).toBeLessThan(8_000);
  }, 120_000);

  it('cancel a run let go that no replica has room to take yet, from either replica: it never runs', async () => {
    const on = await cluster();
    const oneRun = { NODETOOL_MAX_CONCURRENT_RUNS: '1' };
    const [a, b] = [await replica(on, oneRun), await replica(on, oneRun)];
    const longs = [
      (await api(a, 'POST', '/api/run', { graph: sleepGraph(4, 4) })).body.job_id,
      (await api(b, 'POST', '/api/run', { graph: sleepGraph(4, 4) })).body.job_id,
    ];
    const waiting = (await api(a, 'POST', '/api/run', { graph: sleepGraph(0.2) })).body.job_id as string;
    // A lets it go after a second; neither has room, so nobody holds it.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await api(b, 'POST', `/api/jobs/${waiting}/cancel`, {})).status).toBe(202);
    await until(async () => (await api(a, 'GET', `/api/jobs/${waiting}`)).body.status === 'cancelled', 'the let-go run cancelled', 10_000);
    await until(
      async () => (await Promise.all(longs.map(async (id) => (await api(a, 'GET', `/api/jobs/${id}`)).body.status))).every((status) => status === 'completed'),
      'both long runs done',
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await api(b, 'GET', `/api/jobs/${waiting}`)).body).toMatchObject({ status: 'cancelled', error: 'cancelled while queued' });
  }, 120_000);

  it('count every replica’s runs against a worker’s limit: a run the other replica asks for waits until a worker has room', async () => {
    const on = await cluster();
    const oneRunEach = { NODETOOL_WORKER_MAX_CONCURRENT_RUNS: '1' };
    const a = await replica(on, oneRunEach);
    const b = await replica(on, oneRunEach);
    const busy = await Promise.all([1, 2].map(async () => (await api(a, 'POST', '/api/run', { graph: sleepGraph(5, 5) })).body));
    expect(busy.map((run) => run.status)).toEqual(['running', 'running']);
    const workersOn = async (server: ServerProcess) => (await api(server, 'GET', '/health')).body.pool.workers as Array<{ runs_in_flight: number }>;
    await until(async () => (await workersOn(b)).every((worker) => worker.runs_in_flight === 1), 'B counting A’s runs on both workers', 15_000);
    const asked = (await api(b, 'POST', '/api/run', { graph: sleepGraph(0.2) })).body;
    expect(asked.status).toBe('queued');
    await until(async () => (await api(b, 'GET', `/api/jobs/${asked.job_id}`)).body.status === 'completed', 'B’s run completed', 30_000);
    // It ran once a worker had room: after one of A's runs ended, not beside them.
    const statuses = await Promise.all(busy.map(async (run) => (await api(b, 'GET', `/api/jobs/${run.job_id}`)).body.status));
    expect(statuses).toContain('completed');
  }, 120_000);

  it('attach a worker rented through one replica on the other too, run there on it, and let it go on both when it is destroyed', async () => {
    await withRenting(async (renting) => {
      const on = await cluster();
      const [a, b] = [await replica(on, renting, false), await replica(on, renting, false)];
      expect((await api(a, 'PUT', '/api/worker-profiles/l4', L4)).status).toBe(201);
      const created = await api(a, 'POST', '/api/rented-workers', { profile: 'l4', attach: true });
      expect(created.status).toBe(202);
      const url = `runpod://${created.body.instance_id}?tls=1`;
      const connectedOn = async (server: ServerProcess) =>
        ((await api(server, 'GET', '/health')).body.pool.workers as Array<{ id: string; state: string }>).some(
          (worker) => worker.id === url && worker.state === 'connected',
        );
      await until(async () => (await connectedOn(a)) && (await connectedOn(b)), 'the rented worker connected on both replicas', 60_000);
      const run = (await api(b, 'POST', '/api/run', { graph: sleepGraph(0.2), wait: true })).body;
      expect(run.status, JSON.stringify(run)).toBe('completed');
      expect(run.result.nodes.nap.worker).toBe(url);
      const id = created.body.id as string;
      const destroyed = await api(a, 'DELETE', `/api/rented-workers/${encodeURIComponent(id)}`, { confirm: id });
      expect(destroyed.body).toMatchObject({ state: 'destroyed', attached: false });
      await until(async () => (await api(b, 'GET', '/health')).body.pool.total === 0, 'the destroyed worker gone from the other replica', 15_000);
    });
  }, 120_000);

  /** Two replicas renting, the one that does not lead, and a scaled group declared through the leader after both started. */
  async function followerOfScaledGroup(renting: Record<string, string>): Promise<{ leader: ServerProcess; follower: ServerProcess }> {
    const on = await cluster();
    const [a, b] = [await replica(on, renting, false), await replica(on, renting, false)];
    const { value: leader } = await until(async () => ((await health(a)).replica.leader ? a : (await health(b)).replica.leader && b), 'a leader', 15_000);
    expect(
      (await api(leader, 'PUT', '/api/worker-profiles/l4', { ...L4, group: 'gpu', namespaces: ['fixtures'], scale: { max: 1, release_after: 60 } })).status,
    ).toBe(201);
    return { leader, follower: leader === a ? b : a };
  }

  /** A run asked of the follower for the scaled group (once it knows the group), and how it ended. */
  async function runOnFollower(follower: ServerProcess, endsWithinMs: number): Promise<any> {
    const { value: asked } = await until(
      async () => {
        const answer = await api(follower, 'POST', '/api/run', { graph: sleepGraph(0.2) });
        return answer.status === 202 && answer;
      },
      'the follower to take a run for the scaled group',
      10_000,
    );
    const { value: ended } = await until(
      async () => {
        const job = (await api(follower, 'GET', `/api/jobs/${asked.body.job_id}`)).body;
        return job.status !== 'queued' && job.status !== 'running' && job;
      },
      'the run waiting on the follower to end',
      endsWithinMs,
    );
    return ended;
  }

  it('rent, on the leader, the worker a run waiting on the other replica needs, and run it there', async () => {
    await withRenting(async (renting) => {
      const { leader, follower } = await followerOfScaledGroup(renting);
      const done = await runOnFollower(follower, 60_000);
      expect(done.status, JSON.stringify(done)).toBe('completed');
      expect(done.result.nodes.nap.worker).toMatch(/^runpod:\/\/.+\?tls=1$/);
      const events = (await api(leader, 'GET', '/api/rented-workers/events')).body.events as Array<{ action: string; reason: string }>;
      expect(events).toContainEqual(expect.objectContaining({ action: 'rent', reason: 'scale-up' }));
    }, 2);
  }, 120_000);

  it('fail at once, on the replica it waits on, a run whose group the leader gives up on, saying why', async () => {
    await withRenting(async (renting, instances) => {
      // Every instance crashes at boot; one failed bring-up brakes the profile.
      instances.crash = true;
      const { follower } = await followerOfScaledGroup({ ...renting, NODETOOL_RENT_MAX_FAILED_BRINGUPS: '1' });
      // Far sooner than its wait's end (NODETOOL_RENT_WAIT_TIMEOUT, 15 minutes).
      const failed = await runOnFollower(follower, 60_000);
      expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/^no worker will be rented for the group gpu: /) });
    }, 3);
  }, 120_000);

  it('refuse a second replica whose assets would be in a folder only it reads, naming the setting', async () => {
    const on = await cluster();
    await replica(on);
    const refused = startServerProcess({
      ...NO_REAL_PROVIDER,
      DATABASE_URL: on.url,
      XDG_DATA_HOME: mkdtempSync(join(tmpdir(), 'nt-replica-data-')),
      NODETOOL_LOCAL_WORKER: '0',
    });
    await expect(refused).rejects.toThrow(/NODETOOL_ASSETS_SHARED/);
  }, 60_000);
});
