import { afterEach, describe, expect, it } from 'vitest';
import { realInstances, startFixtureProviderApi, type FixtureProviderApi, type RealInstances } from '@nt/providers/testing';
import type { RunningServer } from './server.js';
import { api, node, startTestServer } from './testing/testServer.js';

// Elastic capacity end to end: a real server whose scaled profiles rent from the fixtures of RunPod's
// and Vast.ai's APIs (checked against their official clients in @nt/providers); a rented instance boots
// into a real worker process behind TLS. Nothing here reaches a real provider: the URLs are the fixtures'.
const KEYS = { runpod: 'rpa_scaling_suite_key_0001', vast: 'vast-scaling-suite-key-0001' };
const IMAGE = 'ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4';
const sleepGraph = (seconds: number) => ({ nodes: [node('nap', 'fixtures.Sleep', { seconds, steps: 2 })], edges: [] });

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface GuardEvent {
  worker: string;
  action: string;
  reason: string;
  detail: string;
}

describe('elastic capacity through the server', () => {
  let providers: FixtureProviderApi | undefined;
  let server: RunningServer | undefined;
  let instances: RealInstances | undefined;

  async function start(
    options: { env?: Record<string, string>; runpodPrice?: number; runpodMinimumBid?: number; vastBase?: number; crash?: boolean } = {},
  ): Promise<RunningServer> {
    instances = realInstances();
    instances.crash = options.crash ?? false;
    const booted = instances;
    providers = await startFixtureProviderApi(KEYS, {
      bootDelayMs: 300,
      runpodGpus: { 'NVIDIA L4': { price: options.runpodPrice ?? 0.44, ...(options.runpodMinimumBid ? { minimumBid: options.runpodMinimumBid } : {}) } },
      vastOffers: [{ id: 11, gpu_name: 'RTX 4090', num_gpus: 1, dph_base: options.vastBase ?? 0.36 }],
      onBoot: (boot) => booted.onBoot(boot),
      onHalt: (boot) => booted.onHalt(boot),
    });
    server = await startTestServer({
      bridgeOptions: {},
      env: {
        NODETOOL_LOCAL_WORKER: '0',
        ...providers.env(),
        NODETOOL_SCALE_INTERVAL_MS: '200',
        NODETOOL_COST_GUARD_INTERVAL_MS: '200',
        NODETOOL_RENT_BOOT_TIMEOUT_MS: '60000',
        ...options.env,
      },
    });
    return server;
  }

  afterEach(async () => {
    await server?.close();
    server = undefined;
    await instances?.stopAll();
    await providers?.close();
    providers = undefined;
  });

  const call = (method: string, path: string, body?: unknown) => api(server as RunningServer, method, path, body);
  /** Two profiles of one group, one per provider; fixtures.Sleep is in the namespace they declare. */
  async function gpuGroup(scale: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const common = { image: IMAGE, group: 'gpu', namespaces: ['fixtures'], max_instances: 4, scale, ...extra };
    expect((await call('PUT', '/api/worker-profiles/rp-l4', { provider: 'runpod', gpu_type: 'NVIDIA L4', max_price_per_hour: 5000, ...common })).status).toBe(
      201,
    );
    expect((await call('PUT', '/api/worker-profiles/vast-4090', { provider: 'vast', gpu_type: 'RTX 4090', max_price_per_hour: 5000, ...common })).status).toBe(
      201,
    );
  }
  const events = async () => (await call('GET', '/api/rented-workers/events')).body.events as GuardEvent[];
  const workers = async () => (await call('GET', '/api/rented-workers')).body.workers as Array<{ id: string; provider: string; state: string }>;

  it('rents the cheapest offer across both providers for a run with no worker, says so while it waits, runs it, and releases the worker when idle', async () => {
    await start();
    await gpuGroup({ max: 1, release_after: 2 });
    const started = await call('POST', '/api/run', { graph: sleepGraph(0.2) });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    // While it waits, the job says for what: the chosen offer, its provider and price, the stage.
    const waiting = await until(async () => {
      const job = (await call('GET', `/api/jobs/${started.body.job_id}`)).body;
      return job.waiting?.worker ? job : undefined;
    }, 'the job to name the worker coming');
    expect(waiting.status).toBe('queued');
    expect(waiting.waiting.text).toMatch(/^waiting for a worker: renting 1× RTX 4090 on Vast\.ai at \$0\.\d\d\/h \(vast:\d+\), .*, \d+ s$/);
    const done = await until(async () => {
      const job = (await call('GET', `/api/jobs/${started.body.job_id}`)).body;
      return job.status === 'completed' ? job : undefined;
    }, 'the run to complete');
    expect(done.result.nodes.nap.worker).toMatch(/^vast:\/\/\d+\?tls=1$/);
    // The rental names the offers compared and their prices, cheapest first.
    const rent = (await events()).find((event) => event.action === 'rent') as GuardEvent;
    expect(rent.reason).toBe('scale-up');
    expect(rent.detail).toMatch(
      /chose vast-4090 \(1× RTX 4090 on vast at \$0\.3\d\d\/h\); compared: vast-4090: .* at \$0\.3\d\d\/h; rp-l4: 1× NVIDIA L4 on runpod at \$0\.440\/h/,
    );
    // Idle for release_after (2 s): released (destroyed, the default), so nothing bills.
    await until(async () => (await workers()).every((worker) => worker.state === 'destroyed'), 'the idle worker to be released', 30_000);
    expect(await events()).toContainEqual(expect.objectContaining({ action: 'destroy', reason: 'scale-down' }));
    expect(providers?.refusals).toEqual([]);
    // The capacity view: each profile's scale and instances, and what the day cost so far.
    const capacity = (await call('GET', '/api/capacity')).body;
    expect(capacity).toMatchObject({ max_spend_per_day: 20, capped: null, groups: [{ group: 'gpu', waiting_runs: 0, waiting: null }] });
    expect(capacity.spent_today).toBeGreaterThan(0);
    const vast = capacity.profiles.find((entry: { profile: { name: string } }) => entry.profile.name === 'vast-4090');
    expect(vast).toMatchObject({ instances: { booting: 0, running: 0, stopped: 0 }, braked: null, profile: { scale: { max: 1, release_after: 2 } } });
    expect(vast.spent_today).toBeCloseTo(capacity.spent_today, 6);

    // The market moves: Vast's offer is gone and RunPod is the cheapest now.
    providers?.setVastOffers([{ id: 12, gpu_name: 'RTX 4090', num_gpus: 1, dph_base: 2.5 }]);
    const again = await call('POST', '/api/run', { graph: sleepGraph(0.1), wait: true });
    expect(again.body.status, JSON.stringify(again.body)).toBe('completed');
    expect(again.body.result.nodes.nap.worker).toMatch(/^runpod:\/\//);
  }, 180_000);

  it('rents 2 workers, not 10, for 10 runs at once when the profile runs at most 2; then refuses a graph its workers cannot run before renting', async () => {
    // max_instances and the server's cap leave room for 10: scale.max is what holds it to 2.
    await start({ env: { NODETOOL_RENT_MAX_INSTANCES: '20' } });
    const profile = {
      provider: 'vast',
      gpu_type: 'RTX 4090',
      max_price_per_hour: 1,
      image: IMAGE,
      namespaces: ['fixtures'],
      max_instances: 10,
      scale: { max: 2 },
    };
    expect((await call('PUT', '/api/worker-profiles/vast-4090', profile)).status).toBe(201);
    const runs = await Promise.all(Array.from({ length: 10 }, () => call('POST', '/api/run', { graph: sleepGraph(0.3) })));
    expect(
      runs.map((run) => run.status),
      JSON.stringify(runs.map((run) => run.body)),
    ).toEqual(Array(10).fill(202));
    for (const run of runs)
      await until(async () => (await call('GET', `/api/jobs/${run.body.job_id}`)).body.status === 'completed', 'every run to complete', 120_000);
    expect(await workers()).toHaveLength(2);
    // Its workers announced their nodes, kept for the profile: a node they lack is refused now, with nothing rented.
    const before = providers?.calls.length;
    const refused = await call('POST', '/api/run', { graph: { nodes: [node('x', 'fixtures.NoSuchNode', {})], edges: [] } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/fixtures\.NoSuchNode/);
    expect(providers?.calls.length).toBe(before);
  }, 180_000);

  it('stops renting at the daily cap: a waiting run fails naming it, the one running finishes', async () => {
    // $3600/h bills $1 a second: the cap of $2 is reached while the first run is on its worker.
    await start({ env: { NODETOOL_RENT_MAX_SPEND_PER_DAY: '2' }, runpodPrice: 3600, vastBase: 3700 });
    await gpuGroup({ max: 1, release_after: 0 });
    const first = await call('POST', '/api/run', { graph: sleepGraph(3), wait: true });
    expect(first.body.status, JSON.stringify(first.body)).toBe('completed');
    await until(async () => (await workers()).every((worker) => worker.state === 'destroyed'), 'the worker to be released');
    const second = await call('POST', '/api/run', { graph: sleepGraph(0.1), wait: true });
    expect(second.body.status).toBe('failed');
    expect(second.body.error).toMatch(
      /no worker will be rented for the group gpu: the rentals have cost \$\d+\.\d\d today \(UTC\), and NODETOOL_RENT_MAX_SPEND_PER_DAY is \$2/,
    );
    expect(await workers()).toHaveLength(1);
    expect(await events()).toContainEqual(expect.objectContaining({ worker: 'group:gpu', action: 'refuse', reason: 'daily-cap' }));
    expect((await call('GET', '/api/capacity')).body.capped).toMatch(/NODETOOL_RENT_MAX_SPEND_PER_DAY is \$2/);
    // By hand too: the cap is for every rental.
    const byHand = await call('POST', '/api/rented-workers', { profile: 'rp-l4', attach: true });
    expect(byHand.status).toBe(409);
    expect(byHand.body.error).toMatch(/NODETOOL_RENT_MAX_SPEND_PER_DAY/);
  }, 120_000);

  it('stops retrying a profile whose bring-up always fails, and the waiting run fails naming the failures', async () => {
    await start({ env: { NODETOOL_RENT_MAX_FAILED_BRINGUPS: '2' }, crash: true });
    expect(
      (
        await call('PUT', '/api/worker-profiles/broken', {
          provider: 'runpod',
          gpu_type: 'NVIDIA L4',
          max_price_per_hour: 1,
          image: IMAGE,
          namespaces: ['fixtures'],
          scale: { max: 1 },
        })
      ).status,
    ).toBe(201);
    const run = await call('POST', '/api/run', { graph: sleepGraph(0.1), wait: true });
    expect(run.body.status).toBe('failed');
    expect(run.body.error).toMatch(
      /no worker will be rented for the group broken: broken: 2 bring-ups failed in the last hour \(NODETOOL_RENT_MAX_FAILED_BRINGUPS is 2/,
    );
    const created = providers?.calls.filter((call) => call.operation === 'podFindAndDeployOnDemand') ?? [];
    expect(created).toHaveLength(2);
    expect((await events()).filter((event) => event.reason === 'create-failed')).toHaveLength(2);
    // The brake is an event naming the failures, once.
    const brakes = (await events()).filter((event) => event.action === 'brake');
    expect(brakes).toEqual([expect.objectContaining({ worker: 'profile:broken', reason: 'bring-ups-failing' })]);
    expect(brakes[0]?.detail).toMatch(/2 bring-ups failed in the last hour .*the last: the instance stopped while starting/);
    // Asking by hand is refused the same way, until the hour has passed.
    const byHand = await call('POST', '/api/rented-workers', { profile: 'broken', attach: true });
    expect(byHand.status).toBe(409);
    expect(byHand.body.error).toMatch(/not renting from the profile "broken": 2 bring-ups failed/);
  }, 120_000);

  it('fails a waiting run after NODETOOL_RENT_WAIT_TIMEOUT when no provider has an offer, naming each provider’s answer', async () => {
    await start({ env: { NODETOOL_RENT_WAIT_TIMEOUT: '3' } });
    providers?.setRunpodGpu('NVIDIA L4', {});
    providers?.setVastOffers([]);
    await gpuGroup({ max: 1 });
    const run = await call('POST', '/api/run', { graph: sleepGraph(0.1), wait: true });
    expect(run.body.status).toBe('failed');
    expect(run.body.error).toMatch(
      /^no worker of the group gpu was ready within 3 s \(NODETOOL_RENT_WAIT_TIMEOUT\); last: waiting for a worker: no offer for the group gpu: /,
    );
    expect(run.body.error).toMatch(/rp-l4: runpod refused \(RunPod offers no 1× NVIDIA L4 now\)/);
    expect(run.body.error).toMatch(/vast-4090: vast refused \(Vast\.ai has no rentable 1× RTX 4090 offer/);
    expect(await workers()).toEqual([]);
    // One event for the answer, not one per look: the providers are asked again only after a pause.
    expect((await events()).filter((event) => event.action === 'rent-failed')).toHaveLength(1);
    expect(providers?.calls.filter((call) => call.operation === 'search').length).toBeLessThanOrEqual(3);
  }, 60_000);

  it('never reaches a real provider: a server not pointed at a fixture fails the call, naming the closed address', async () => {
    server = await startTestServer({ bridgeOptions: {}, env: { NODETOOL_LOCAL_WORKER: '0', VAST_API_KEY: KEYS.vast } });
    expect((await call('PUT', '/api/worker-profiles/vast-4090', { provider: 'vast', gpu_type: 'RTX 4090', max_price_per_hour: 1, image: IMAGE })).status).toBe(
      201,
    );
    const refused = await call('POST', '/api/rented-workers', { profile: 'vast-4090', attach: true });
    expect(refused.status).toBe(502);
    expect(refused.body.error).toMatch(/127\.0\.0\.1:9/);
    expect(refused.body.error).toMatch(/nothing was created/);
  }, 30_000);

  it('is ready with no worker once a profile scales, and refuses a run no scaled group can serve, as before: nothing is rented', async () => {
    await start();
    expect((await fetch(`${(server as RunningServer).url}/ready`)).status).toBe(503);
    await gpuGroup({ max: 1 });
    // A cluster (or a load balancer) routes runs to it: the worker they need comes when they wait.
    expect((await fetch(`${(server as RunningServer).url}/ready`)).status).toBe(200);
    const unknown = await call('POST', '/api/run', { graph: { nodes: [node('x', 'huggingface.text.Nope', {})], edges: [] } });
    expect(unknown.status).toBe(503);
    expect(unknown.body.error).toMatch(/needs a Python worker/);
    expect(await workers()).toEqual([]);
  }, 60_000);

  it('loses no run when the provider reclaims an interruptible worker mid-run: the run retries on a replacement the scaler rents', async () => {
    await start({ runpodMinimumBid: 0.2 });
    const profile = {
      provider: 'runpod',
      gpu_type: 'NVIDIA L4',
      max_price_per_hour: 1,
      image: IMAGE,
      namespaces: ['fixtures'],
      interruptible: true,
      max_instances: 3,
      scale: { max: 1 },
    };
    expect((await call('PUT', '/api/worker-profiles/spot-l4', profile)).status).toBe(201);
    const started = await call('POST', '/api/run', { graph: sleepGraph(4) });
    // Running on the first worker: the provider takes it back.
    const first = await until(async () => {
      const job = (await call('GET', `/api/jobs/${started.body.job_id}`)).body;
      return job.status === 'running' && job.nodes?.nap?.worker ? (job.nodes.nap.worker as string) : undefined;
    }, 'the run to start on the first worker');
    const podId = new URL(first).host;
    expect(providers?.pod(podId)?.interruptible).toBe(true);
    expect((await workers())[0]).toMatchObject({ price_per_hour: 0.2 });
    providers?.reclaim('runpod', podId);
    const done = await until(
      async () => {
        const job = (await call('GET', `/api/jobs/${started.body.job_id}`)).body;
        return job.status !== 'queued' && job.status !== 'running' ? job : undefined;
      },
      'the run to end',
      90_000,
    ).catch(async (error: Error) => {
      const state = { events: await events(), workers: await workers(), pool: (await call('GET', '/health')).body.pool };
      throw new Error(`${error.message}: ${JSON.stringify(state)}`);
    });
    expect(done.status, JSON.stringify(done)).toBe('completed');
    expect(done.result.nodes.nap.worker).not.toBe(first);
    const reclaimed = (await events()).find((event) => event.action === 'reclaimed') as GuardEvent;
    expect(reclaimed).toMatchObject({ worker: `runpod:${podId}`, reason: 'provider' });
    expect(reclaimed.detail).toMatch(/runpod reports it stopped \(interruptible\); it was destroyed at once/);
    expect(providers?.pod(podId)).toBeUndefined();

    // A run that says retry_on_worker_loss: false is not retried: it fails, naming the worker it lost.
    const strict = await call('POST', '/api/run', { graph: sleepGraph(4), retry_on_worker_loss: false });
    const second = await until(async () => {
      const job = (await call('GET', `/api/jobs/${strict.body.job_id}`)).body;
      return job.status === 'running' && job.nodes?.nap?.worker ? (job.nodes.nap.worker as string) : undefined;
    }, 'the strict run to start');
    providers?.reclaim('runpod', new URL(second).host);
    const lost = await until(
      async () => {
        const job = (await call('GET', `/api/jobs/${strict.body.job_id}`)).body;
        return job.status !== 'queued' && job.status !== 'running' ? job : undefined;
      },
      'the strict run to end',
      60_000,
    );
    expect(lost.status).toBe('failed');
    expect(lost.result.nodes.nap.error).toMatch(/lost/i);
  }, 180_000);
});
