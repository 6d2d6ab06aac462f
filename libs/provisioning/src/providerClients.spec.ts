import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixtureProviderApi, type FixtureProviderApi } from '@nt/worker-auth-fixtures';
import { PriceCeilingError, type ProviderClient } from './providerClient.js';
import { providerClientFor } from './providerClientFor.js';
import { orphansAmong } from './reconcile.js';
import { parseProfile } from './workerProfile.js';

const keys = { runpod: 'rpa_clients_spec_key', vast: 'vast-clients-spec-key' };
let api: FixtureProviderApi;
let env: NodeJS.ProcessEnv;
const image = 'ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4';
const profiles = {
  runpod: parseProfile({ name: 'rp', provider: 'runpod', gpu_type: 'NVIDIA L4', image, max_price_per_hour: 1 }),
  vast: parseProfile({ name: 'va', provider: 'vast', gpu_type: 'RTX_4090', image, max_price_per_hour: 1 }),
};

beforeEach(async () => {
  api = await startFixtureProviderApi(keys, {
    bootDelayMs: 20,
    onBoot: async () => ({ host: '127.0.0.1', port: 45678 }),
    runpodPrices: { 'NVIDIA L4': 0.44, 'NVIDIA H100 80GB HBM3': 2.99 },
    vastOffers: [
      { id: 7, gpu_name: 'RTX_4090', num_gpus: 1, dph_total: 0.38, cuda_max_good: 13.0 },
      { id: 8, gpu_name: 'H100_SXM', num_gpus: 1, dph_total: 2.4, cuda_max_good: 13.0 },
    ],
  });
  env = { RUNPOD_API_KEY: keys.runpod, VAST_API_KEY: keys.vast, NODETOOL_RUNPOD_API_URL: api.runpodUrl, NODETOOL_VAST_API_URL: api.vastUrl };
});
afterEach(() => api.close());

const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe.each(['runpod', 'vast'] as const)('the %s client against a fixture of its API', (provider) => {
  let client: ProviderClient;
  beforeEach(() => {
    client = providerClientFor(profiles[provider], env);
  });

  it('creates an instance within the price ceiling with our name and environment, which then runs; stops, starts and destroys it', async () => {
    const created = await client.create({ name: 'nodetool-spec-1', profile: profiles[provider], env: { NODETOOL_WORKER_TOKEN: 'fresh-token' } });
    expect(created).toMatchObject({ provider, name: 'nodetool-spec-1', state: 'provisioning' });
    expect(created.pricePerHour).toBeLessThanOrEqual(1);
    const stored = provider === 'runpod' ? api.pod(created.id) : api.instance(created.id);
    expect(stored?.env).toEqual({ NODETOOL_WORKER_TOKEN: 'fresh-token' });
    await until(async () => (await client.get(created.id))?.state === 'running');
    expect((await client.get(created.id))?.state).toBe('running');
    await client.stop(created.id);
    expect((await client.get(created.id))?.state).toBe('stopped');
    await client.start(created.id, 1);
    await until(async () => (await client.get(created.id))?.state === 'running');
    expect((await client.get(created.id))?.state).toBe('running');
    expect((await client.list()).map((instance) => instance.id)).toEqual([created.id]);
    await client.destroy(created.id);
    expect(await client.get(created.id)).toBeNull();
    expect(api.requests.every((request) => request.authorized)).toBe(true);
  });

  it('refuses, creating nothing, when nothing matches at or under the price ceiling', async () => {
    const pricey = { ...profiles[provider], gpuType: provider === 'runpod' ? 'NVIDIA H100 80GB HBM3' : 'H100_SXM' };
    await expect(client.create({ name: 'nodetool-spec-2', profile: pricey, env: {} })).rejects.toThrow(PriceCeilingError);
    expect(await client.list()).toEqual([]);
  });
});

describe('the reconciler', () => {
  it('finds our instances the server does not know, not others, not terminated ones', () => {
    const listed = [
      { provider: 'runpod' as const, id: 'a', name: 'nodetool-a100-1', state: 'running' as const, pricePerHour: 1, gpu: null },
      { provider: 'runpod' as const, id: 'b', name: 'nodetool-a100-2', state: 'running' as const, pricePerHour: 1, gpu: null },
      { provider: 'runpod' as const, id: 'c', name: 'my-notebook', state: 'running' as const, pricePerHour: 1, gpu: null },
      { provider: 'runpod' as const, id: 'd', name: 'nodetool-old', state: 'terminated' as const, pricePerHour: 1, gpu: null },
    ];
    expect(orphansAmong(listed, new Set(['runpod:a'])).map((instance) => instance.id)).toEqual(['b']);
  });

  it('needs the key the profile names', () => {
    expect(() => providerClientFor({ ...profiles.runpod, apiKeyEnv: 'TEAM_RUNPOD_KEY' }, env)).toThrow(/needs TEAM_RUNPOD_KEY \(the profile's api_key_env\)/);
    expect(providerClientFor({ ...profiles.runpod, apiKeyEnv: 'TEAM_RUNPOD_KEY' }, { ...env, TEAM_RUNPOD_KEY: keys.runpod }).provider).toBe('runpod');
  });
});
