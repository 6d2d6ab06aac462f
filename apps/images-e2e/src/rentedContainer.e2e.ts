import { afterAll, describe, expect, it } from 'vitest';
import { startFixtureProviderApi, type FixtureProviderApi } from '@nt/providers/testing';
import { configFromEnv, startServer, type RunningServer } from '@nt/server';
import { containerLogs, docker, healthOf, startWorkerContainer, waitFor, workerUid, type RunningContainer } from '@nt/smoke-runner';

// `nodetool worker create` with the real image on the other side: a fixture of the provider's API
// (checked against its official client in @nt/providers) whose instance boots into the core image's
// container, started as the provider's host starts it (root), with the environment exactly as the
// provider passes it: a fresh token, the certificate and key the server made (on Vast.ai in base64
// parts, as its 256-character limit forces), HF_HOME under the provider's volume path. The server
// must come up over wss://, pinning its own certificate.
const CORE_IMAGE = process.env['CORE_IMAGE'] ?? 'nodetool-core:local';
const KEYS = { runpod: 'rpa_rented_container_key', vast: 'vast-rented-container-key' };

describe.each([
  { provider: 'runpod', profile: { provider: 'runpod', gpu_type: 'NVIDIA L4', max_price_per_hour: 1 } },
  { provider: 'vast', profile: { provider: 'vast', gpu_type: 'RTX 4090', max_price_per_hour: 1 } },
])(`a rented $provider worker served by ${CORE_IMAGE} over wss://, pinned by the server`, ({ provider, profile }) => {
  let providers: FixtureProviderApi | undefined;
  let server: RunningServer | undefined;
  const containers: RunningContainer[] = [];

  afterAll(async () => {
    await server?.close();
    for (const container of containers) await container.remove();
    await providers?.close();
  });

  it('creates it, reaches it over TLS with the certificate it made and pinned, and destroys it', async () => {
    providers = await startFixtureProviderApi(KEYS, {
      bootDelayMs: 100,
      runpodGpus: { 'NVIDIA L4': { price: 0.44 } },
      vastOffers: [{ id: 41, gpu_name: 'RTX 4090', num_gpus: 1, dph_base: 0.35 }],
      // Everything the instance was given, by name only (values never reach an argv).
      onBoot: async ({ env }) => {
        const container = await startWorkerContainer(CORE_IMAGE, { secretEnv: env });
        containers.push(container);
        return { host: '127.0.0.1', port: Number(new URL(container.url).port) };
      },
      onHalt: async () => {
        for (const container of containers.splice(0)) await container.remove();
      },
    });
    server = await startServer({
      ...configFromEnv({
        HOST: '127.0.0.1',
        PORT: '0',
        NODETOOL_DB: ':memory:',
        NODETOOL_LOCAL_WORKER: '0',
        ...providers.env(),
        NODETOOL_COST_GUARD_INTERVAL_MS: '1000',
      }),
      webRoot: null,
    });
    const url = server.url;
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(url + path, {
        method,
        headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json().catch(() => null)) as Record<string, any> };
    };
    expect((await call('PUT', '/api/worker-profiles/gpu', { ...profile, image: CORE_IMAGE + '-as-pushed:x' })).status).toBe(201);
    const created = (await call('POST', '/api/rented-workers', { profile: 'gpu', attach: true })).body;
    expect(created.tls_fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const id = created.id as string;
    let worker: Record<string, any> = created;
    await waitFor(
      async () => {
        worker = (await call('GET', `/api/rented-workers/${encodeURIComponent(id)}`)).body;
        return worker.attached === true || worker.state === 'failed';
      },
      120_000,
      'the rented container to be healthy and attached',
    );
    expect(worker.error).toBeNull();
    expect(worker.url).toBe(`${provider}://${created.instance_id}?tls=1`);
    const container = containers[0] as RunningContainer;
    await waitFor(async () => (await healthOf(container.name)) === 'healthy', 60_000, 'the container health check (through TLS)');
    // The container serves the certificate the server made, as uid 10001, and the server's bridge to it is up through the pin.
    expect(await containerLogs(container.name)).toContain(`certificate SHA-256 fingerprint ${created.tls_fingerprint}`);
    expect(await workerUid(container.name)).toBe('10001');
    // HF_HOME under the provider's volume path was made for the worker, though nothing was mounted there.
    expect(await docker(['exec', container.name, 'stat', '-c', '%u', provider === 'vast' ? '/data/huggingface' : '/workspace/huggingface'])).toBe('10001');
    const health = (await call('GET', '/health')).body;
    expect(health.pool.workers).toEqual([expect.objectContaining({ id: worker.url, state: 'connected' })]);
    expect(JSON.stringify(health)).not.toContain('PRIVATE KEY');
    expect(providers.refusals).toEqual([]);

    const destroyed = (await call('DELETE', `/api/rented-workers/${encodeURIComponent(id)}`, { confirm: id })).body;
    expect(destroyed.state).toBe('destroyed');
    expect(provider === 'vast' ? providers.instance(created.instance_id) : providers.pod(created.instance_id)).toBeUndefined();
  }, 240_000);
});
