import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RentRequest } from '../providerClient.js';
import { providerClientFor } from '../providerClientFor.js';
import { PriceCeilingError } from '../providerErrors.js';
import { joinEnvParts, sampleRentRequest, startFixtureProviderApi, waitUntil as until, type FixtureProviderApi } from '../testing/index.js';

const keys = { runpod: 'rpa-unused', vast: 'vast-client-spec-key' };
let api: FixtureProviderApi;
const certificate = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(64)}\n`.repeat(8) + '-----END CERTIFICATE-----\n';
const request = (over: Partial<RentRequest> = {}): RentRequest =>
  sampleRentRequest({
    gpuType: 'RTX_4090',
    volumeMount: '/data',
    cudaMin: '13.0',
    maxPricePerHour: 0.6,
    env: { NODETOOL_WORKER_TOKEN: 'fresh-token', HF_HOME: '/data/huggingface', NODETOOL_WORKER_TLS_CERT_PEM: certificate },
    ...over,
  });

beforeEach(async () => {
  api = await startFixtureProviderApi(keys, {
    bootDelayMs: 10,
    onBoot: async () => ({ host: '198.51.100.9', port: 52001 }),
    vastOffers: [
      { id: 7, gpu_name: 'RTX 4090', num_gpus: 1, dph_base: 0.35 },
      { id: 8, gpu_name: 'RTX 4090', num_gpus: 1, dph_base: 0.3, verified: false },
      { id: 9, gpu_name: 'RTX 4090', num_gpus: 1, dph_base: 0.31, cuda_max_good: 12.4 },
      { id: 10, gpu_name: 'RTX 4090', num_gpus: 1, dph_base: 0.32, direct_port_count: 0 },
      { id: 11, gpu_name: 'RTX 4090', num_gpus: 2, dph_base: 0.66 },
      { id: 12, gpu_name: 'H100 SXM', num_gpus: 1, dph_base: 2.4 },
    ],
  });
});
afterEach(() => api.close());

describe('the Vast.ai client', () => {
  it('searches as the official client does (its default filters, the GPU spelt as Vast spells it, the disk it rents) and rents the cheapest fit', async () => {
    const client = providerClientFor({ provider: 'vast' }, api.env());
    const created = await client.create(request());
    const search = api.calls.find((call) => call.operation === 'search')?.args;
    expect(search).toMatchObject({
      verified: { eq: true },
      external: { eq: false },
      rentable: { eq: true },
      gpu_name: { eq: 'RTX 4090' },
      num_gpus: { eq: 1 },
      cuda_max_good: { gte: 13 },
      direct_port_count: { gte: 1 },
      allocated_storage: 130,
    });
    // Unverified, old-driver and port-less offers were cheaper, and are not what was rented.
    expect(api.calls.find((call) => call.operation === 'create')?.args).toMatchObject({
      offer: 7,
      image: request().image,
      disk: 130,
      runtype: 'args',
      label: 'nodetool-spec-1',
    });
    // dph_total priced with the 130 GB disk: 0.35 + 0.15 × 130 / 730.
    expect(created.pricePerHour).toBeCloseTo(0.3767, 4);
    expect(api.refusals).toEqual([]);
  });

  it('creates an instance that maps its worker port, and passes an environment Vast can carry, which the image joins again', async () => {
    const client = providerClientFor({ provider: 'vast' }, api.env());
    const created = await client.create(request());
    const sent = api.calls.find((call) => call.operation === 'create')?.args['env'] as Record<string, string>;
    expect(sent['-p 7777:7777']).toBe('1');
    for (const value of Object.values(sent)) expect(value.length).toBeLessThanOrEqual(256);
    expect(joinEnvParts(api.instance(created.id)?.env ?? {})).toEqual(request().env);
    await until(async () => (await client.get(created.id))?.state === 'running', 'the instance to run');
    expect(api.instance(created.id)?.ports).toEqual({ '7777/tcp': [{ HostIp: '0.0.0.0', HostPort: '52001' }] });
  });

  it('checks the whole instance against the ceiling: 2 GPUs are one offer at one price, disk included', async () => {
    const client = providerClientFor({ provider: 'vast' }, api.env());
    await expect(client.create(request({ gpuCount: 2, maxPricePerHour: 0.6 }))).rejects.toThrow(PriceCeilingError);
    await expect(client.create(request({ gpuCount: 2, maxPricePerHour: 0.6 }))).rejects.toThrow(
      /Vast.ai has no rentable 2× RTX 4090 offer \(verified, CUDA 13.0\+, a direct port, 130 GB of disk\) at or under \$0.6\/h/,
    );
    const two = await client.create(request({ gpuCount: 2, maxPricePerHour: 0.7 }));
    expect(api.calls.filter((call) => call.operation === 'create').map((call) => call.args['offer'])).toEqual([11]);
    expect(two.pricePerHour).toBeCloseTo(0.6867, 4);
    expect(await client.list()).toHaveLength(1);
  });

  it('finds a missing instance as null ({"instances": null}), stops, starts and destroys', async () => {
    const client = providerClientFor({ provider: 'vast' }, api.env());
    expect(await client.get('99999')).toBeNull();
    const created = await client.create(request());
    await until(async () => (await client.get(created.id))?.state === 'running', 'the instance to run');
    await client.stop(created.id);
    expect((await client.get(created.id))?.state).toBe('stopped');
    await client.start(created.id);
    await until(async () => (await client.get(created.id))?.state === 'running', 'the instance to run again');
    await client.destroy(created.id);
    expect(await client.get(created.id)).toBeNull();
    expect(api.refusals).toEqual([]);
  });

  it('lists every instance through the paged v1 list, following next_token', async () => {
    for (let index = 0; index < 57; index++)
      api.setInstance(String(40_000 + index), { actual_status: 'running', public_ipaddr: null, ports: {}, label: `nodetool-many-${index}` });
    const client = providerClientFor({ provider: 'vast' }, api.env());
    const listed = await client.list();
    expect(listed).toHaveLength(57);
    expect(new Set(listed.map((instance) => instance.id)).size).toBe(57);
    expect(api.calls.filter((call) => call.operation === 'list').map((call) => call.args['after_token'] ?? null)).toEqual([null, 'after:40024', 'after:40049']);
    expect(api.requests.some((call) => call.path === '/api/v0/instances/')).toBe(false);
  });
});
