import { afterAll, describe, expect, it } from 'vitest';
import { configFromEnv, startServer, type RunningServer } from '@nt/server';
import { containerLogs, healthOf, startWorkerContainer, waitFor, type RunningContainer } from '@nt/smoke-runner';
import { startFixtureProviderApi, type FixtureProviderApi } from '@nt/providers/testing';

// `nodetool worker create` with TLS, the real image on the other side: a fixture of RunPod's API whose
// pod boots into the core image's container with the environment the server gave it (a fresh token,
// the certificate and key it made). The server must come up over wss://, pinning its own certificate.
const CORE_IMAGE = process.env['CORE_IMAGE'] ?? 'nodetool-core:local';
const KEYS = { runpod: 'rpa_rented_container_key', vast: 'unused-vast-key' };

describe(`a rented worker served by ${CORE_IMAGE} over wss://, pinned by the server`, () => {
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
      onBoot: async ({ env }) => {
        // Everything the instance was given, by name only (values never reach an argv); HF_HOME points at the
        // provider's volume, which this container does not have.
        const { HF_HOME: _volume, ...given } = env;
        const container = await startWorkerContainer(CORE_IMAGE, { secretEnv: given });
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
        RUNPOD_API_KEY: KEYS.runpod,
        NODETOOL_RUNPOD_API_URL: providers.runpodUrl,
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
    expect(
      (await call('PUT', '/api/worker-profiles/l4', { provider: 'runpod', gpu_type: 'NVIDIA L4', image: CORE_IMAGE + '-as-pushed:x', max_price_per_hour: 1 }))
        .status,
    ).toBe(201);
    const created = (await call('POST', '/api/rented-workers', { profile: 'l4', attach: true })).body;
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
    expect(worker.url).toBe(`runpod://${created.instance_id}?tls=1`);
    const container = containers[0] as RunningContainer;
    await waitFor(async () => (await healthOf(container.name)) === 'healthy', 60_000, 'the container health check (through TLS)');
    // The container serves the certificate the server made, and the server's bridge to it is up through the pin.
    expect(await containerLogs(container.name)).toContain(`certificate SHA-256 fingerprint ${created.tls_fingerprint}`);
    const health = (await call('GET', '/health')).body;
    expect(health.pool.workers).toEqual([expect.objectContaining({ id: worker.url, state: 'connected' })]);
    expect(JSON.stringify(health)).not.toContain('PRIVATE KEY');

    const destroyed = (await call('DELETE', `/api/rented-workers/${encodeURIComponent(id)}`, { confirm: id })).body;
    expect(destroyed.state).toBe('destroyed');
    expect(providers.pod(created.instance_id)).toBeUndefined();
  }, 240_000);
});
