import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RentRequest } from '../providerClient.js';
import { providerClientFor } from '../providerClientFor.js';
import { PriceCeilingError, ProviderCallError } from '../providerErrors.js';
import { sampleRentRequest, startFixtureProviderApi, waitUntil as until, type FixtureProviderApi } from '../testing/index.js';

const keys = { runpod: 'rpa_client_spec_key', vast: 'vast-unused' };
let api: FixtureProviderApi;
const request = (over: Partial<RentRequest> = {}): RentRequest => sampleRentRequest({ env: { NODETOOL_WORKER_TOKEN: 'fresh-token' }, ...over });

beforeEach(async () => {
  api = await startFixtureProviderApi(keys, {
    bootDelayMs: 10,
    onBoot: async () => ({ host: '203.0.113.9', port: 41234 }),
    runpodGpus: {
      'NVIDIA GeForce RTX 4090': { displayName: 'RTX 4090', price: 0.69, hostCudaVersions: ['12.9', '13.0'] },
      'NVIDIA H100 80GB HBM3': { displayName: 'H100 SXM', price: 2.99 },
    },
  });
});
afterEach(() => api.close());

describe('the RunPod client', () => {
  it('creates a pod reachable on its worker port: a public TCP mapping, the image, the env, every CUDA version from the floor', async () => {
    const client = providerClientFor({ provider: 'runpod' }, api.env());
    const created = await client.create(request());
    expect(created).toMatchObject({ provider: 'runpod', name: 'nodetool-spec-1', state: 'provisioning', pricePerHour: 0.69 });
    const pod = api.pod(created.id);
    expect(pod?.created).toMatchObject({
      imageName: request().image,
      gpuTypeId: 'NVIDIA GeForce RTX 4090',
      ports: '7777/tcp',
      supportPublicIp: true,
      allowedCudaVersions: ['12.8', '12.9', '13.0'],
      volumeInGb: 100,
      volumeMountPath: '/workspace',
      containerDiskInGb: 30,
    });
    expect(pod?.env).toEqual({ NODETOOL_WORKER_TOKEN: 'fresh-token' });
    await until(async () => (await client.get(created.id))?.state === 'running', 'the pod to run');
    expect(pod?.ports).toEqual([{ ip: '203.0.113.9', isIpPublic: true, privatePort: 7777, publicPort: 41234, type: 'tcp' }]);
    expect(api.refusals).toEqual([]);
  });

  it('stops, starts with the GPU count it was created with, lists and destroys', async () => {
    const client = providerClientFor({ provider: 'runpod' }, api.env());
    const created = await client.create(request({ gpuCount: 2, maxPricePerHour: 1.5 }));
    await until(async () => (await client.get(created.id))?.state === 'running', 'the pod to run');
    await client.stop(created.id);
    expect((await client.get(created.id))?.state).toBe('stopped');
    await client.start(created.id);
    await until(async () => (await client.get(created.id))?.state === 'running', 'the pod to run again');
    expect(api.calls.find((call) => call.operation === 'podResume')?.args).toEqual({ input: { podId: created.id, gpuCount: 2 } });
    expect((await client.list()).map((instance) => [instance.id, instance.gpu])).toEqual([[created.id, '2× RTX 4090']]);
    await client.destroy(created.id);
    expect(await client.get(created.id)).toBeNull();
    expect(api.requests.every((call) => call.authorized)).toBe(true);
    expect(api.refusals).toEqual([]);
  });

  it('checks the whole pod against the ceiling: RunPod quotes per GPU, so 2 GPUs cost twice the quote', async () => {
    const client = providerClientFor({ provider: 'runpod' }, api.env());
    await expect(client.create(request({ gpuCount: 2, maxPricePerHour: 1 }))).rejects.toThrow(
      new PriceCeilingError("RunPod's lowest price for 2× NVIDIA GeForce RTX 4090 is $1.380/h ($0.690 per GPU), above the profile's ceiling of $1/h"),
    );
    const two = await client.create(request({ gpuCount: 2, maxPricePerHour: 1.4 }));
    expect(two.pricePerHour).toBe(1.38);
    expect(api.calls.filter((call) => call.operation === 'podFindAndDeployOnDemand')).toHaveLength(1);
  });

  it('finds a GPU type by the name people write, and refuses an unknown one naming close ids', async () => {
    const client = providerClientFor({ provider: 'runpod' }, api.env());
    const created = await client.create(request({ gpuType: 'RTX 4090' }));
    expect(api.pod(created.id)?.gpuTypeId).toBe('NVIDIA GeForce RTX 4090');
    await expect(client.create(request({ gpuType: 'RTX 4080' }))).rejects.toThrow(/RunPod has no GPU type "RTX 4080"/);
    await expect(client.create(request({ gpuType: 'H100' }))).rejects.toThrow(/its ids that look close: NVIDIA H100 80GB HBM3/);
  });

  it('lands on a newer host than the floor (a one-version list would not), and says what RunPod said when nothing fits', async () => {
    const client = providerClientFor({ provider: 'runpod' }, api.env());
    await expect(client.create(request({ cudaMin: '12.8' }))).resolves.toMatchObject({ state: 'provisioning' });
    await expect(client.create(request({ cudaMin: '13.0', gpuType: 'NVIDIA H100 80GB HBM3', maxPricePerHour: 5 }))).resolves.toMatchObject({
      state: 'provisioning',
    });
    const hostsOnOldDrivers = await startFixtureProviderApi(keys, { runpodGpus: { 'NVIDIA L4': { price: 0.4, hostCudaVersions: ['12.4'] } } });
    try {
      const old = providerClientFor({ provider: 'runpod' }, hostsOnOldDrivers.env());
      const refused = await old.create(request({ gpuType: 'NVIDIA L4', cudaMin: '13.0' })).catch((error: Error) => error);
      expect(refused).toBeInstanceOf(ProviderCallError);
      expect((refused as Error).message).toMatch(/RunPod Deploy failed: There are no longer any instances available with the requested specifications/);
    } finally {
      await hostsOnOldDrivers.close();
    }
  });

  it('needs the key the profile names', () => {
    expect(() => providerClientFor({ provider: 'runpod', apiKeyEnv: 'NODETOOL_TEAM_RUNPOD_API_KEY' }, api.env())).toThrow(
      /renting a RunPod worker needs NODETOOL_TEAM_RUNPOD_API_KEY \(the profile's api_key_env\)/,
    );
    expect(
      providerClientFor({ provider: 'runpod', apiKeyEnv: 'NODETOOL_TEAM_RUNPOD_API_KEY' }, { ...api.env(), NODETOOL_TEAM_RUNPOD_API_KEY: keys.runpod })
        .provider,
    ).toBe('runpod');
  });
});
