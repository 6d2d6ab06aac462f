import { readSetting } from '@nt/settings';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProfile } from '@nt/provisioning';
import { realInstances, startFixtureProviderApi, type FixtureGpuType, type FixtureProviderApi, type RealInstances } from '@nt/providers/testing';
import type { RunningServer } from './server.js';
import { api, node, startTestServer, type TestServerData } from './testing/testServer.js';

// Renting workers end to end against fixtures of the providers' APIs (checked against the providers'
// own clients in @nt/providers): a created or started instance "boots" after a delay into a real
// worker process that takes the token the server generated for it, behind TLS with the certificate the
// server made and pins.
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
  let instances: RealInstances;

  async function start(
    extraEnv: Record<string, string> = {},
    gpus: Record<string, FixtureGpuType> = { 'NVIDIA L4': { price: 0.44 } },
    bootFails = false,
  ): Promise<RunningServer & TestServerData> {
    instances = realInstances();
    instances.crash = bootFails;
    providers = await startFixtureProviderApi(KEYS, {
      bootDelayMs: 300,
      runpodGpus: gpus,
      vastOffers: [{ id: 11, gpu_name: 'RTX 4090', num_gpus: 1, dph_base: 0.36 }],
      onBoot: (boot) => instances.onBoot(boot),
      onHalt: (boot) => instances.onHalt(boot),
    });
    const started = await startTestServer({
      bridgeOptions: {},
      env: {
        NODETOOL_LOCAL_WORKER: '0',
        ...providers.env(),
        NODETOOL_COST_GUARD_INTERVAL_MS: '200',
        NODETOOL_RENT_BOOT_TIMEOUT_MS: '60000',
        ...extraEnv,
      },
    });
    server = started;
    return started;
  }

  afterEach(async () => {
    await server?.close();
    server = undefined;
    await instances?.stopAll();
    await providers?.close();
  });

  const profile = (name: string, fields: Record<string, unknown>) =>
    api(server as RunningServer, 'PUT', `/api/worker-profiles/${name}`, {
      image: 'ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4',
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
    expect(created.body.tls_fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const id = created.body.id as string;
    expect(providers.pod(created.body.instance_id)?.name).toMatch(/^nodetool-l4-[0-9a-f]{6}$/);

    const healthy = await until(async () => {
      const worker = await rented(id);
      return worker.attached && worker.stage.startsWith('healthy') ? worker : undefined;
    }, 'the rented worker to be healthy and attached');
    // Reached over wss://, pinning the certificate the server made: TLS is not optional for a rented worker.
    expect(healthy).toMatchObject({ state: 'running', url: `runpod://${created.body.instance_id}?tls=1` });
    const run = (await api(server as RunningServer, 'POST', '/api/run', { graph: sleepGraph(0.2), wait: true })).body;
    expect(run.status, JSON.stringify(run)).toBe('completed');
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
    expect(instances.environments.length).toBeGreaterThan(0);
    for (const env of instances.environments) {
      expect(said).not.toContain(readSetting(env, 'NODETOOL_WORKER_TOKEN'));
      expect(said).not.toContain('PRIVATE KEY');
    }
    expect(said).not.toContain(KEYS.runpod);
    expect(providers.refusals).toEqual([]);
  }, 120_000);

  it('stops a worker at its time to live, but never while a run is in flight', async () => {
    await start();
    expect(
      (await profile('ttl', { provider: 'vast', gpu_type: 'RTX_4090', max_price_per_hour: 1, guard: { idle_stop_minutes: 0, max_hours: 0.001 } })).status,
    ).toBe(201);
    const id = (await api(server as RunningServer, 'POST', '/api/rented-workers', { profile: 'ttl', attach: true })).body.id as string;
    await until(async () => (await rented(id)).attached, 'attached', 60_000).catch(async (error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await rented(id))} ${JSON.stringify(await events())}`);
    });
    // 3.6 s to live. A run long enough to outlast it by far holds the worker: the guard (every 0.2 s)
    // sees it past its time for seconds, and must leave it running until the run ends.
    let finished = false;
    const long = api(server as RunningServer, 'POST', '/api/run', { graph: sleepGraph(12), wait: true }).finally(() => (finished = true));
    await until(async () => (await rented(id)).uptime_seconds >= 3.6 + 2, 'the time to live to pass, with the guard checking meanwhile', 30_000);
    expect(finished).toBe(false);
    expect((await rented(id)).state).toBe('running');
    expect((await long).body.status).toBe('completed');
    await until(async () => (await rented(id)).state === 'stopped', 'the ttl stop', 30_000);
    // The event is written once the stop is (a moment after the state changed).
    await until(
      async () =>
        (await events()).some(
          (event: { worker: string; action: string; reason: string }) => event.worker === id && event.action === 'stop' && event.reason === 'ttl',
        ),
      'the ttl stop event',
      5_000,
    );
  }, 120_000);

  it('fails a run at once, saying why, when its only worker is stopped and the profile forbids starting it for a run', async () => {
    await start();
    await profile('strict', { provider: 'vast', gpu_type: 'RTX_4090', max_price_per_hour: 1, guard: { on_stopped_run: 'fail' } });
    const id = (await api(server as RunningServer, 'POST', '/api/rented-workers', { profile: 'strict', attach: true })).body.id as string;
    await until(async () => (await rented(id)).attached, 'attached', 60_000);
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
    const first = await start();
    await profile('l4', { provider: 'runpod', gpu_type: 'NVIDIA L4', max_price_per_hour: 1 });
    const created = (await api(first, 'POST', '/api/rented-workers', { profile: 'l4', attach: true })).body;
    // The server stops while the pod is still provisioning (it boots 300 ms later).
    await first.close();
    server = await startTestServer({
      bridgeOptions: {},
      data: first,
      env: { NODETOOL_LOCAL_WORKER: '0', ...providers.env(), NODETOOL_RENT_BOOT_TIMEOUT_MS: '60000' },
    });
    const resumed = await until(
      async () => {
        const worker = await rented(created.id);
        return worker.attached ? worker : undefined;
      },
      'the resumed start to finish',
      60_000,
    );
    expect(resumed.stage).toMatch(/^healthy/);
    expect((await api(server as RunningServer, 'GET', '/health')).body.pool.connected).toBe(1);
  }, 60_000);

  it('reports an instance of ours the server does not know (an orphan), and not the account’s others', async () => {
    instances = realInstances();
    providers = await startFixtureProviderApi(KEYS);
    providers.setPod('ghostpod01', { desiredStatus: 'RUNNING', ports: [], name: 'nodetool-a100-4f2a1c', costPerHr: 1.89 });
    providers.setPod('notebook01', { desiredStatus: 'RUNNING', ports: [], name: 'my-notebook', costPerHr: 0.5 });
    providers.setInstance('31999', {
      actual_status: 'exited',
      intended_status: 'stopped',
      public_ipaddr: null,
      ports: {},
      label: 'nodetool-rtx-0a0b0c',
      dph_total: 0.02,
    });
    server = await startTestServer({
      bridgeOptions: {},
      env: { NODETOOL_LOCAL_WORKER: '0', ...providers.env() },
    });
    const found = await until(
      async () => (await events()).find((event) => event.reason === 'orphan' && event.worker.startsWith('runpod:')),
      'the orphan report',
    );
    expect(found).toMatchObject({ worker: 'runpod:ghostpod01', action: 'report' });
    expect(found.detail).toMatch(/nodetool-a100-4f2a1c is running at \$1.89\/h, and this server did not create it/);
    // Vast's through its paged v1 list: a stopped one still bills its disk.
    const vast = await until(async () => (await events()).find((event) => event.worker === 'vast:31999'), 'the Vast orphan report');
    expect(vast.detail).toMatch(/nodetool-rtx-0a0b0c is stopped at \$0.02\/h/);
    expect((await events()).some((event) => event.worker === 'runpod:notebook01')).toBe(false);
  }, 30_000);

  it('destroys an instance that fails while starting, and says so: nothing is left billing', async () => {
    await start({}, undefined, true);
    await profile('l4', { provider: 'runpod', gpu_type: 'NVIDIA L4', max_price_per_hour: 1 });
    const created = (await api(server as RunningServer, 'POST', '/api/rented-workers', { profile: 'l4' })).body;
    const failed = await until(async () => ((await rented(created.id)).state === 'failed' ? rented(created.id) : undefined), 'the failure');
    expect(failed.error).toMatch(/the instance stopped while starting .*; the instance was destroyed, so nothing is left billing/);
    expect(providers.pod(created.instance_id)).toBeUndefined();
    expect(await events()).toContainEqual(expect.objectContaining({ worker: created.id, action: 'destroy', reason: 'create-failed' }));
  }, 30_000);

  it('refuses a price above the profile’s ceiling before anything is created, and profiles that hold secrets', async () => {
    await start({}, { 'NVIDIA H100 80GB HBM3': { price: 2.99 } });
    await profile('h100', { provider: 'runpod', gpu_type: 'NVIDIA H100 80GB HBM3', max_price_per_hour: 2 });
    const refused = await api(server as RunningServer, 'POST', '/api/rented-workers', { profile: 'h100' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(
      /lowest price for 1× NVIDIA H100 80GB HBM3 is \$2.990\/h \(\$2.990 per GPU\), above the profile's ceiling of \$2\/h: nothing was created/,
    );
    expect(providers.calls.some((call) => call.operation === 'podFindAndDeployOnDemand')).toBe(false);
    const secret = await profile('leaky', { provider: 'runpod', gpu_type: 'NVIDIA L4', max_price_per_hour: 1, api_key: 'rpa_live_oops' });
    expect(secret.status).toBe(400);
    expect(secret.body.error).toMatch(/secrets are never stored/);
    expect(JSON.stringify((await api(server as RunningServer, 'GET', '/api/worker-profiles')).body)).not.toContain('rpa_live_oops');
  }, 30_000);

  it('destroys at once an instance whose own price is over the ceiling (the price moved after the quote), and says so', async () => {
    await start({}, { 'NVIDIA L4': { price: 0.44, billedPrice: 1.2 } });
    await profile('l4', { provider: 'runpod', gpu_type: 'NVIDIA L4', max_price_per_hour: 1 });
    const refused = await api(server as RunningServer, 'POST', '/api/rented-workers', { profile: 'l4' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(
      /runpod rented fixpod\d+, but it bills \$1.200\/h, above the profile's ceiling of \$1\/h; it was destroyed at once, so nothing is left billing/,
    );
    const pod = /rented (fixpod\d+)/.exec(refused.body.error)?.[1] as string;
    expect(providers.pod(pod)).toBeUndefined();
    expect(await events()).toContainEqual(expect.objectContaining({ worker: `runpod:${pod}`, action: 'destroy', reason: 'over-ceiling' }));
    expect((await api(server as RunningServer, 'GET', '/api/rented-workers')).body.workers).toEqual([]);
  }, 30_000);

  it('caps live instances per profile (max_instances) and for the server (NODETOOL_RENT_MAX_INSTANCES), with 409s that say which', async () => {
    await start({ NODETOOL_RENT_MAX_INSTANCES: '2' });
    await profile('one', { provider: 'runpod', gpu_type: 'NVIDIA L4', max_price_per_hour: 1, max_instances: 1 });
    await profile('two', { provider: 'vast', gpu_type: 'RTX 4090', max_price_per_hour: 1 });
    expect((await api(server as RunningServer, 'POST', '/api/rented-workers', { profile: 'one' })).status).toBe(202);
    const perProfile = await api(server as RunningServer, 'POST', '/api/rented-workers', { profile: 'one' });
    expect(perProfile.status).toBe(409);
    expect(perProfile.body.error).toMatch(/the profile "one" has 1 live instance\(s\) and its max_instances is 1/);
    // Two requests at once for the last place: one gets it, one is refused (the cap counts creations under way).
    const [a, b] = await Promise.all([1, 2].map(() => api(server as RunningServer, 'POST', '/api/rented-workers', { profile: 'two' })));
    expect([a?.status, b?.status].sort()).toEqual([202, 409]);
    expect([a, b].find((answer) => answer?.status === 409)?.body.error).toMatch(
      /this server has 2 live rented instance\(s\) and NODETOOL_RENT_MAX_INSTANCES is 2/,
    );
    expect(providers.calls.filter((call) => call.operation === 'podFindAndDeployOnDemand' || call.operation === 'create')).toHaveLength(2);
  }, 60_000);

  it('loads a stored profile that says tls: false, and refuses to rent from it naming the field; refuses such a new one outright', async () => {
    await start();
    const written = await profile('old', { provider: 'runpod', gpu_type: 'NVIDIA L4', max_price_per_hour: 1, tls: false });
    expect(written.status).toBe(400);
    expect(written.body).toMatchObject({ details: { field: 'tls' } });
    // As a profile saved before TLS was required.
    await (server as RunningServer).app.rented.store.saveProfile({
      ...parseProfile({ name: 'old', provider: 'runpod', gpu_type: 'NVIDIA L4', image: 'ghcr.io/acme/nodetool-hf:x', max_price_per_hour: 1 }),
      tls: false,
    });
    expect((await api(server as RunningServer, 'GET', '/api/worker-profiles/old')).body).toMatchObject({ name: 'old', tls: false });
    const refused = await api(server as RunningServer, 'POST', '/api/rented-workers', { profile: 'old' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/cannot rent from the profile "old": "tls": false is not allowed/);
    // Refused before RunPod was asked anything about renting (the reconciler's listing aside).
    expect(providers.calls.filter((call) => call.operation !== 'myself' && call.operation !== 'list')).toEqual([]);
  }, 30_000);

  it('refuses a profile that would send another secret to the provider as its key', async () => {
    await start();
    for (const name of ['HF_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'NODETOOL_SERVER_TOKEN', 'VAST_API_KEY']) {
      const refused = await profile('leaky', { provider: 'runpod', gpu_type: 'NVIDIA L4', max_price_per_hour: 1, api_key_env: name });
      expect(refused.status, name).toBe(400);
      expect(refused.body).toMatchObject({ details: { field: 'api_key_env' } });
    }
    expect(
      (await profile('team', { provider: 'runpod', gpu_type: 'NVIDIA L4', max_price_per_hour: 1, api_key_env: 'NODETOOL_TEAM_RUNPOD_API_KEY' })).status,
    ).toBe(201);
  }, 30_000);
});
