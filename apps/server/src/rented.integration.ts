import { afterEach, describe, expect, it } from 'vitest';
import { spawnRealWorker, startFixtureProviderApi, type FixtureProviderApi, type RealWorker } from '@nt/worker-auth-fixtures';
import type { RunningServer } from './server.js';
import { api, node, startTestServer } from './testing/testServer.js';

// Renting workers end to end against fixtures of the providers' APIs: a created or started instance
// "boots" after a delay into a real worker process that takes the token the server generated for it.
const KEYS = { runpod: 'rpa_rented_suite_key_0001', vast: 'vast-rented-suite-key-0001' };
const sleepGraph = (seconds: number) => ({ nodes: [node('nap', 'fixtures.Sleep', { seconds, steps: 2 })], edges: [] });

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('renting workers through the server', () => {
  let providers: FixtureProviderApi;
  let server: RunningServer | undefined;
  const booted = new Map<string, RealWorker>();
  const tokensSeen: string[] = [];

  async function start(
    extraEnv: Record<string, string> = {},
    prices: Record<string, number> = { 'NVIDIA L4': 0.44 },
    bootFails = false,
  ): Promise<RunningServer & { dbPath: string }> {
    providers = await startFixtureProviderApi(KEYS, {
      bootDelayMs: 300,
      runpodPrices: prices,
      vastOffers: [{ id: 11, gpu_name: 'RTX_4090', num_gpus: 1, dph_total: 0.38, cuda_max_good: 13.0 }],
      onBoot: async ({ provider, id, env }) => {
        if (bootFails) return 'crash';
        tokensSeen.push(env['NODETOOL_WORKER_TOKEN'] as string);
        const worker = await spawnRealWorker({ token: env['NODETOOL_WORKER_TOKEN'] });
        booted.set(`${provider}:${id}`, worker);
        return { host: '127.0.0.1', port: worker.port };
      },
      onHalt: async ({ provider, id }) => {
        await booted.get(`${provider}:${id}`)?.kill();
        booted.delete(`${provider}:${id}`);
      },
    });
    const started = await startTestServer({
      bridgeOptions: {},
      env: {
        NODETOOL_LOCAL_WORKER: '0',
        RUNPOD_API_KEY: KEYS.runpod,
        VAST_API_KEY: KEYS.vast,
        NODETOOL_RUNPOD_API_URL: providers.runpodUrl,
        NODETOOL_VAST_API_URL: providers.vastUrl,
        NODETOOL_COST_GUARD_INTERVAL_MS: '200',
        NODETOOL_RENT_BOOT_TIMEOUT_MS: '30000',
        ...extraEnv,
      },
    });
    server = started;
    return started;
  }

  afterEach(async () => {
    await server?.close();
    server = undefined;
    for (const worker of booted.values()) await worker.kill();
    booted.clear();
    await providers?.close();
  });

  const profile = (name: string, fields: Record<string, unknown>) =>
    api(server as RunningServer, 'PUT', `/api/worker-profiles/${name}`, {
      image: 'ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4',
      tls: false,
      ...fields,
    });
  const rented = async (id: string) => (await api(server as RunningServer, 'GET', `/api/rented-workers/${encodeURIComponent(id)}`)).body;
  const events = async () =>
    (await api(server as RunningServer, 'GET', '/api/rented-workers/events')).body.events as Array<{
      worker: string;
      action: string;
      reason: string;
      detail: string;
    }>;

  it('creates a worker, waits for its handshake, attaches it, runs on it, stops it when idle, starts it again for a run, and destroys it', async () => {
    await start();
    expect((await profile('l4', { provider: 'runpod', gpu_type: 'NVIDIA L4', max_price_per_hour: 1, guard: { idle_stop_minutes: 0.05 } })).status).toBe(201);
    const created = await api(server as RunningServer, 'POST', '/api/rented-workers', { profile: 'l4', attach: true });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ provider: 'runpod', state: 'provisioning', attached: false, price_per_hour: 0.44 });
    const id = created.body.id as string;
    expect(providers.pod(created.body.instance_id)?.name).toMatch(/^nodetool-l4-[0-9a-f]{6}$/);

    const healthy = await until(async () => {
      const worker = await rented(id);
      return worker.attached && worker.stage.startsWith('healthy') ? worker : undefined;
    }, 'the rented worker to be healthy and attached');
    expect(healthy).toMatchObject({ state: 'running', url: `runpod://${created.body.instance_id}` });
    const run = (await api(server as RunningServer, 'POST', '/api/run', { graph: sleepGraph(0.2), wait: true })).body;
    expect(run.status).toBe('completed');
    expect(run.result.nodes.nap.worker).toBe(healthy.url);

    // Idle for 3 s (0.05 min): the guard stops it, saying why.
    const stopped = await until(async () => ((await rented(id)).state === 'stopped' ? rented(id) : undefined), 'the idle stop', 20_000);
    expect(stopped.stage).toBe('stopped (cost guard: idle)');
    expect(providers.pod(created.body.instance_id)?.desiredStatus).toBe('EXITED');
    expect(await events()).toContainEqual(expect.objectContaining({ worker: id, action: 'stop', reason: 'idle' }));
    expect(stopped.cost_so_far).toBeGreaterThan(0);

    // A run with no worker connected starts it again and runs once it is up.
    const woke = (await api(server as RunningServer, 'POST', '/api/run', { graph: sleepGraph(0.1), wait: true })).body;
    expect(woke.status, JSON.stringify(woke)).toBe('completed');
    expect(await events()).toContainEqual(expect.objectContaining({ worker: id, action: 'start', reason: 'run-waiting' }));

    const refused = await api(server as RunningServer, 'DELETE', `/api/rented-workers/${encodeURIComponent(id)}`, {});
    expect(refused.status).toBe(400);
    const destroyed = await api(server as RunningServer, 'DELETE', `/api/rented-workers/${encodeURIComponent(id)}`, { confirm: id });
    expect(destroyed.body).toMatchObject({ state: 'destroyed', attached: false });
    expect(providers.pod(created.body.instance_id)).toBeUndefined();
    expect((await api(server as RunningServer, 'GET', '/health')).body.pool.total).toBe(0);

    // The token the server generated reached the instance, and nothing the server says contains it.
    const said = JSON.stringify([await rented(id), await events(), (await api(server as RunningServer, 'GET', '/api/rented-workers')).body]);
    for (const token of tokensSeen) expect(said).not.toContain(token);
    expect(said).not.toContain(KEYS.runpod);
  }, 90_000);

  it('stops a worker at its time to live, but never while a run is in flight', async () => {
    await start();
    expect(
      (await profile('ttl', { provider: 'vast', gpu_type: 'RTX_4090', max_price_per_hour: 1, guard: { idle_stop_minutes: 0, max_hours: 0.001 } })).status,
    ).toBe(201);
    const id = (await api(server as RunningServer, 'POST', '/api/rented-workers', { profile: 'ttl', attach: true })).body.id as string;
    await until(async () => (await rented(id)).attached, 'attached').catch(async (error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await rented(id))} ${JSON.stringify(await events())}`);
    });
    // 3.6 s to live; a 5 s run starts now and holds it past that.
    const long = api(server as RunningServer, 'POST', '/api/run', { graph: sleepGraph(5), wait: true });
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    expect((await rented(id)).state).toBe('running');
    expect((await long).body.status).toBe('completed');
    await until(async () => (await rented(id)).state === 'stopped', 'the ttl stop', 10_000);
    expect(await events()).toContainEqual(expect.objectContaining({ worker: id, action: 'stop', reason: 'ttl' }));
  }, 60_000);

  it('fails a run at once, saying why, when its only worker is stopped and the profile forbids starting it for a run', async () => {
    await start();
    await profile('strict', { provider: 'vast', gpu_type: 'RTX_4090', max_price_per_hour: 1, guard: { on_stopped_run: 'fail' } });
    const id = (await api(server as RunningServer, 'POST', '/api/rented-workers', { profile: 'strict', attach: true })).body.id as string;
    await until(async () => (await rented(id)).attached, 'attached');
    expect((await api(server as RunningServer, 'POST', `/api/rented-workers/${encodeURIComponent(id)}/stop`)).body.state).toBe('stopped');
    await until(async () => (await api(server as RunningServer, 'GET', '/health')).body.pool.connected === 0, 'the worker to leave the rotation');
    const refused = await api(server as RunningServer, 'POST', '/api/run', { graph: sleepGraph(0.1), wait: true });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatch(
      new RegExp(
        `the rented worker ${id} is stopped and its profile forbids starting it for a run \\(guard.on_stopped_run: fail\\): start it with nodetool worker start`,
      ),
    );
    expect((await rented(id)).state).toBe('stopped');
  }, 60_000);

  it('follows a start the last server process did not finish, so the instance ends healthy and attached, not billing unwatched', async () => {
    const first = await start({}, { 'NVIDIA L4': 0.44 });
    await profile('l4', { provider: 'runpod', gpu_type: 'NVIDIA L4', max_price_per_hour: 1 });
    const created = (await api(first, 'POST', '/api/rented-workers', { profile: 'l4', attach: true })).body;
    // The server stops while the pod is still provisioning (it boots 300 ms later).
    await first.close();
    server = await startTestServer({
      bridgeOptions: {},
      dbPath: first.dbPath,
      env: {
        NODETOOL_LOCAL_WORKER: '0',
        RUNPOD_API_KEY: KEYS.runpod,
        NODETOOL_RUNPOD_API_URL: providers.runpodUrl,
        NODETOOL_VAST_API_URL: providers.vastUrl,
        NODETOOL_RENT_BOOT_TIMEOUT_MS: '30000',
      },
    });
    const resumed = await until(async () => {
      const worker = await rented(created.id);
      return worker.attached ? worker : undefined;
    }, 'the resumed start to finish');
    expect(resumed.stage).toMatch(/^healthy/);
    expect((await api(server as RunningServer, 'GET', '/health')).body.pool.connected).toBe(1);
  }, 60_000);

  it('reports an instance of ours the server does not know (an orphan), and not the account’s others', async () => {
    providers = await startFixtureProviderApi(KEYS);
    providers.setPod('ghostpod01', { desiredStatus: 'RUNNING', ports: [], name: 'nodetool-a100-4f2a1c', costPerHr: 1.89 });
    providers.setPod('notebook01', { desiredStatus: 'RUNNING', ports: [], name: 'my-notebook', costPerHr: 0.5 });
    server = await startTestServer({
      bridgeOptions: {},
      env: { NODETOOL_LOCAL_WORKER: '0', RUNPOD_API_KEY: KEYS.runpod, NODETOOL_RUNPOD_API_URL: providers.runpodUrl },
    });
    const found = await until(async () => (await events()).find((event) => event.reason === 'orphan'), 'the orphan report');
    expect(found).toMatchObject({ worker: 'runpod:ghostpod01', action: 'report' });
    expect(found.detail).toMatch(/nodetool-a100-4f2a1c is running at \$1.89\/h, and this server did not create it/);
    expect((await events()).some((event) => event.worker === 'runpod:notebook01')).toBe(false);
  }, 30_000);

  it('destroys an instance that fails while starting, and says so: nothing is left billing', async () => {
    await start({}, { 'NVIDIA L4': 0.44 }, true);
    await profile('l4', { provider: 'runpod', gpu_type: 'NVIDIA L4', max_price_per_hour: 1 });
    const created = (await api(server as RunningServer, 'POST', '/api/rented-workers', { profile: 'l4' })).body;
    const failed = await until(async () => ((await rented(created.id)).state === 'failed' ? rented(created.id) : undefined), 'the failure');
    expect(failed.error).toMatch(/the instance stopped while starting .*; the instance was destroyed, so nothing is left billing/);
    expect(providers.pod(created.instance_id)).toBeUndefined();
    expect(await events()).toContainEqual(expect.objectContaining({ worker: created.id, action: 'destroy', reason: 'create-failed' }));
  }, 30_000);

  it('refuses a price above the profile’s ceiling before anything is created, and profiles that hold secrets', async () => {
    await start({}, { 'NVIDIA H100 80GB HBM3': 2.99 });
    await profile('h100', { provider: 'runpod', gpu_type: 'NVIDIA H100 80GB HBM3', max_price_per_hour: 2 });
    const refused = await api(server as RunningServer, 'POST', '/api/rented-workers', { profile: 'h100' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/lowest price for 1× NVIDIA H100 80GB HBM3 is \$2.990\/h, above the profile's ceiling of \$2\/h: nothing was created/);
    expect(providers.requests.some((request) => request.operation === 'podFindAndDeployOnDemand')).toBe(false);
    const secret = await profile('leaky', { provider: 'runpod', gpu_type: 'NVIDIA L4', max_price_per_hour: 1, api_key: 'rpa_live_oops' });
    expect(secret.status).toBe(400);
    expect(secret.body.error).toMatch(/secrets are never stored/);
    expect(JSON.stringify((await api(server as RunningServer, 'GET', '/api/worker-profiles')).body)).not.toContain('rpa_live_oops');
  }, 30_000);
});
