import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFixtureProviderApi, type FixtureProviderApi } from '@nt/providers/testing';
import { spawnRealWorker, startFixtureDns, type FixtureDns, type RealWorker } from '@nt/test-fixtures';
import type { RunningServer } from './server.js';
import { api, node, startTestServer, wsClient } from './testing/testServer.js';

// One server, several real fixture workers: routing, limits and the queue, a worker's death and
// return, a workers file, and DNS discovery against a real resolver (dnsmasq).
const TOKEN = 'pool-suite-token';
const sleepGraph = (seconds: number) => ({ nodes: [node('nap', 'fixtures.Sleep', { seconds, steps: 2 })], edges: [] });

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Date.now() - started;
}

describe('a server with a pool of workers', () => {
  const workers: RealWorker[] = [];
  let server: RunningServer | undefined;
  let dns: FixtureDns | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
    for (const worker of workers.splice(0)) await worker.kill();
    await dns?.stop();
    dns = undefined;
  });

  async function startWorkers(count: number, host = '127.0.0.1', port?: number): Promise<RealWorker[]> {
    const started = await Promise.all(Array.from({ length: count }, () => spawnRealWorker({ token: TOKEN, host, port })));
    workers.push(...started);
    return started;
  }

  const health = async () => (await api(server as RunningServer, 'GET', '/health')).body;
  const connectedCount = async () => (await health()).pool.connected as number;

  it('spreads runs over the workers, each limited to one at a time; the rest wait queued; every node record names its worker', async () => {
    const [a, b] = await startWorkers(2);
    server = await startTestServer({
      bridgeOptions: {},
      env: { NODETOOL_WORKER_URL: `${a?.url}, ${b?.url}`, NODETOOL_WORKER_TOKEN: TOKEN, NODETOOL_WORKER_MAX_CONCURRENT_RUNS: '1' },
    });
    await until(async () => (await connectedCount()) === 2, 'both workers');
    const jobs = [];
    for (let i = 0; i < 4; i++) jobs.push((await api(server, 'POST', '/api/run', { graph: sleepGraph(0.6), job_id: `spread-${i}` })).body);
    expect(jobs.map((job) => job.status)).toEqual(['running', 'running', 'queued', 'queued']);
    const listed = (await api(server, 'GET', '/api/jobs')).body.jobs as Array<{ id: string; status: string }>;
    expect(listed.filter((job) => job.id.startsWith('spread-') && job.status === 'queued')).toHaveLength(2);
    const pool = (await health()).pool;
    expect(pool.workers.map((worker: { runs_in_flight: number; max_concurrent_runs: number }) => [worker.runs_in_flight, worker.max_concurrent_runs])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    const finished = [];
    for (let i = 0; i < 4; i++) {
      await until(async () => (await api(server as RunningServer, 'GET', `/api/jobs/spread-${i}`)).body.status === 'completed', `run ${i}`);
      finished.push((await api(server, 'GET', `/api/jobs/spread-${i}`)).body.result.nodes.nap.worker);
    }
    expect(new Set(finished)).toEqual(new Set([a?.url, b?.url]));
    expect(finished.filter((worker) => worker === a?.url)).toHaveLength(2);
  });

  it('fails only the run executing on a worker that dies, naming it; the others go to the other worker; it is back within seconds of listening again', async () => {
    const [a, b] = await startWorkers(2);
    server = await startTestServer({
      bridgeOptions: {},
      env: { NODETOOL_WORKER_URL: `${a?.url},${b?.url}`, NODETOOL_WORKER_TOKEN: TOKEN, NODETOOL_WORKER_MAX_CONCURRENT_RUNS: '1' },
    });
    await until(async () => (await connectedCount()) === 2, 'both workers');
    const client = await wsClient(server);
    for (let i = 0; i < 6; i++) client.send({ command: 'run_job', data: { graph: sleepGraph(1), job_id: `batch-${i}` } });
    // The first run on `a` is executing: kill `a` then.
    const onA = await client.waitFor((m) => m.type === 'node_update' && m.status === 'running' && m.worker === a?.url);
    const port = a?.port as number;
    await a?.kill();
    const goneAfter = await until(async () => (await health()).pool.workers.find((w: { id: string }) => w.id === a?.url).state !== 'connected', 'a to leave');
    expect(goneAfter).toBeLessThan(2_000);
    for (let i = 0; i < 6; i++)
      await client.waitFor((m) => m.type === 'job_update' && m.job_id === `batch-${i}` && ['completed', 'failed'].includes(m.status), 30_000);
    const outcomes = await Promise.all(Array.from({ length: 6 }, async (_, i) => (await api(server as RunningServer, 'GET', `/api/jobs/batch-${i}`)).body));
    const failed = outcomes.filter((job) => job.status === 'failed');
    expect(failed.map((job) => job.id)).toEqual([onA.job_id]);
    expect(failed[0].error).toContain(`the worker ${a?.url} was lost while this node ran`);
    expect(outcomes.filter((job) => job.status === 'completed')).toHaveLength(5);

    // Back: a new worker on the same port is in rotation again within seconds, whatever the backoff grew to.
    workers.push(await spawnRealWorker({ token: TOKEN, port }));
    const backAfter = await until(async () => (await connectedCount()) === 2, 'a to come back');
    expect(backAfter).toBeLessThan(3_000);
    client.close();
  }, 60_000);

  it('reaches rented workers by runpod:// and vast:// (a fixture of the providers’ APIs) and finds one again on its new port after a restart', async () => {
    const keys = { runpod: 'rpa_pool_suite_key_1234', vast: 'vast-pool-suite-key-5678' };
    const providers: FixtureProviderApi = await startFixtureProviderApi(keys);
    try {
      const [onRunpod, onVast] = await startWorkers(2);
      providers.podAt('podpool01', '127.0.0.1', onRunpod?.port as number);
      providers.instanceAt('31337', '127.0.0.1', onVast?.port as number);
      server = await startTestServer({
        bridgeOptions: {},
        env: {
          NODETOOL_WORKER_URL: 'runpod://podpool01,vast://31337',
          NODETOOL_WORKER_TOKEN: TOKEN,
          ...providers.env(),
        },
      });
      await until(async () => (await connectedCount()) === 2, 'both rented workers');
      expect((await health()).pool.workers.map((worker: { id: string }) => worker.id).sort()).toEqual(['runpod://podpool01', 'vast://31337']);
      const done = (await api(server, 'POST', '/api/run', { graph: sleepGraph(0.1), wait: true })).body;
      expect(done.status).toBe('completed');
      expect(['runpod://podpool01', 'vast://31337']).toContain(done.result.nodes.nap.worker);

      // The pod restarts on another port: the server asks RunPod again and is back without a restart of its own.
      await onRunpod?.kill();
      await until(async () => (await connectedCount()) === 1, 'the pod to leave');
      const moved = await spawnRealWorker({ token: TOKEN });
      workers.push(moved);
      providers.podAt('podpool01', '127.0.0.1', moved.port);
      const backAfter = await until(async () => (await connectedCount()) === 2, 'the pod on its new port', 30_000);
      expect(backAfter).toBeLessThan(5_000);
      const shown = JSON.stringify(await health());
      expect(shown).not.toContain(keys.runpod);
      expect(shown).not.toContain(keys.vast);
      expect(providers.requests.every((request) => request.authorized)).toBe(true);
    } finally {
      await providers.close();
    }
  }, 60_000);

  it('reads a workers file: per-worker tokens, labels and limits; a worker that rejects its token is named, the others serve', async () => {
    const [a, b] = await startWorkers(2);
    const dir = mkdtempSync(join(tmpdir(), 'nt-pool-'));
    writeFileSync(join(dir, 'b-token'), TOKEN);
    const file = join(dir, 'workers.yaml');
    writeFileSync(
      file,
      [
        'workers:',
        `  - url: ${a?.url}`,
        '    token: not-the-right-token',
        '    labels: { gpu: a100 }',
        `  - url: ${b?.url}`,
        `    token_file: ${join(dir, 'b-token')}`,
        '    labels: { gpu: l4 }',
        '    max_concurrent_runs: 2',
      ].join('\n'),
    );
    server = await startTestServer({ bridgeOptions: {}, env: { NODETOOL_WORKERS_FILE: file } });
    await until(async () => {
      const states = (await health()).pool.workers.map((w: { state: string }) => w.state).sort();
      return states.join() === 'connected,token_rejected';
    }, 'the rejection of one and the connection of the other');
    const pool = (await health()).pool;
    expect(
      pool.workers.map((w: { id: string; state: string; labels: object; max_concurrent_runs: number | null }) => [
        w.id,
        w.state,
        w.labels,
        w.max_concurrent_runs,
      ]),
    ).toEqual([
      [a?.url, 'token_rejected', { gpu: 'a100' }, null],
      [b?.url, 'connected', { gpu: 'l4' }, 2],
    ]);
    const job = (await api(server, 'POST', '/api/run?wait=true', { graph: sleepGraph(0.1) })).body;
    expect(job.result.nodes.nap.worker).toBe(b?.url);
  });

  it('follows a DNS name: every address is a worker, and the pool changes with the answers (a real resolver)', async () => {
    // Three workers on three loopback addresses and one port, as the replicas behind a headless Service.
    const [first] = await startWorkers(1, '127.0.0.11');
    const port = first?.port as number;
    await startWorkers(1, '127.0.0.12', port);
    await startWorkers(1, '127.0.0.13', port);
    dns = await startFixtureDns('workers.nodetool.test', ['127.0.0.11', '127.0.0.12']);
    server = await startTestServer({
      bridgeOptions: {},
      env: {
        NODETOOL_WORKER_URL: `ws://workers.nodetool.test:${port}`,
        NODETOOL_WORKER_DISCOVERY: 'dns',
        NODETOOL_WORKER_DNS_SERVER: dns.server,
        NODETOOL_WORKER_DISCOVERY_INTERVAL_MS: '200',
        NODETOOL_WORKER_TOKEN: TOKEN,
      },
    });
    const ids = async () => ((await health()).pool.workers as Array<{ id: string; state: string }>).filter((w) => w.state === 'connected').map((w) => w.id);
    await until(async () => (await ids()).length === 2, 'two workers from DNS');
    expect(await ids()).toEqual([`ws://127.0.0.11:${port}`, `ws://127.0.0.12:${port}`]);

    await dns.answer(['127.0.0.11', '127.0.0.12', '127.0.0.13']);
    await until(async () => (await ids()).length === 3, 'the third worker');
    await dns.answer(['127.0.0.12', '127.0.0.13']);
    await until(async () => (await health()).pool.total === 2, 'the first worker to leave');
    expect(await ids()).toEqual([`ws://127.0.0.12:${port}`, `ws://127.0.0.13:${port}`]);
    const job = (await api(server, 'POST', '/api/run?wait=true', { graph: sleepGraph(0.1) })).body;
    expect(job.status).toBe('completed');
  }, 60_000);
});
