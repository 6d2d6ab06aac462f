import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RentRequest } from './providerClient.js';
import { providerClientFor } from './providerClientFor.js';
import { sampleRentRequest, startFixtureProviderApi, waitUntil as until, type FixtureCall, type FixtureProviderApi } from './testing/index.js';

// The providers' own open-source clients are the oracle: runpod-python and the vastai SDK, pinned in
// oracle/, run their create / get / stop / resume / terminate / list / search calls against our
// fixtures, which must take exactly what they send. Then, for the same intent (the same profile), the
// request our client sends must resolve to the same arguments as theirs. runpod-python writes values
// into the query text and ours sends variables; Vast's client sends numbers as strings: the fixtures
// record what each request resolved to, and that is what is compared, not the raw bodies.
const ORACLE = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'oracle');
const keys = { runpod: 'rpa_oracle_suite_key_42', vast: 'vast-oracle-suite-key-42' };
let api: FixtureProviderApi;

interface OracleResult {
  call: string;
  value?: any;
  error?: string;
  message?: string;
}

/** Runs calls of an official client against the fixture; every call must succeed unless `failing` names it. */
function oracle(
  client: 'runpod' | 'vast' | 'skypilot',
  steps: Array<{ call: string; args?: unknown[]; kwargs?: Record<string, unknown> }>,
): Promise<OracleResult[]> {
  const python = join(ORACLE, `.venv-${client}`, 'bin', 'python');
  if (!existsSync(python)) throw new Error(`${python} is missing: run npx nx run providers:setup-oracle`);
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '/tmp',
    ...(client === 'vast' ? { VAST_API_KEY: keys.vast, VAST_SERVER_URL: api.vastUrl } : { RUNPOD_API_KEY: keys.runpod, RUNPOD_API_BASE_URL: api.runpodBase }),
  };
  return new Promise((done, fail) =>
    execFile(python, [join(ORACLE, `${client}_oracle.py`), JSON.stringify(steps)], { env, timeout: 60_000 }, (error, stdout, stderr) =>
      error ? fail(new Error(`${client} oracle failed: ${stderr || error.message}`)) : done(JSON.parse(stdout) as OracleResult[]),
    ),
  );
}

/** The calls of one operation recorded between two marks (to the end by default). */
const callsOf = (operation: string, from = 0, to = api.calls.length): FixtureCall[] => api.calls.slice(from, to).filter((call) => call.operation === operation);
const mark = () => api.calls.length;

const intent = (over: Partial<RentRequest> = {}): RentRequest => sampleRentRequest({ name: 'nodetool-oracle-1', ...over });

beforeEach(async () => {
  api = await startFixtureProviderApi(keys, {
    bootDelayMs: 20,
    onBoot: async () => ({ host: '203.0.113.9', port: 41234 }),
    runpodGpus: { 'NVIDIA GeForce RTX 4090': { displayName: 'RTX 4090', price: 0.69, minimumBid: 0.34, hostCudaVersions: ['12.9', '13.0'] } },
    vastOffers: [
      { id: 7, gpu_name: 'RTX 4090', num_gpus: 1, dph_base: 0.35, min_bid: 0.2 },
      { id: 8, gpu_name: 'RTX 4090', num_gpus: 1, dph_base: 0.3, verified: false },
      { id: 9, gpu_name: 'RTX 4090', num_gpus: 2, dph_base: 0.66 },
    ],
  });
});
afterEach(() => api.close());

describe('runpod-python 1.12.0 against the RunPod fixture', () => {
  it('runs its GPU, create, get, list, stop, resume and terminate calls, every one accepted by the schema', async () => {
    const [gpu, created] = await oracle('runpod', [
      { call: 'get_gpu', args: ['NVIDIA GeForce RTX 4090', 1] },
      {
        call: 'create_pod',
        kwargs: {
          name: 'nodetool-oracle-1',
          image_name: intent().image,
          gpu_type_id: 'NVIDIA GeForce RTX 4090',
          cloud_type: 'ALL',
          support_public_ip: true,
          start_ssh: false,
          gpu_count: 1,
          volume_in_gb: 100,
          container_disk_in_gb: 30,
          ports: '7777/tcp',
          volume_mount_path: '/workspace',
          env: intent().env,
          allowed_cuda_versions: ['13.0'],
        },
      },
    ]);
    expect(gpu).toMatchObject({ value: { id: 'NVIDIA GeForce RTX 4090', lowestPrice: { uninterruptablePrice: 0.69 } } });
    expect(created?.error).toBeUndefined();
    const podId = created?.value.id as string;
    // Until the pod has booted, then the rest of its life.
    await until(async () => api.pod(podId)?.ports !== null, 'the pod to boot');
    const rest = await oracle('runpod', [
      { call: 'get_pod', args: [podId] },
      { call: 'get_pods' },
      { call: 'stop_pod', args: [podId] },
      { call: 'resume_pod', args: [podId, 1] },
      { call: 'terminate_pod', args: [podId] },
      { call: 'get_pod', args: [podId] },
    ]);
    expect(rest.map((result) => [result.call, result.error ?? 'ok'])).toEqual([
      ['get_pod', 'ok'],
      ['get_pods', 'ok'],
      ['stop_pod', 'ok'],
      ['resume_pod', 'ok'],
      ['terminate_pod', 'ok'],
      // A pod that is gone: RunPod answers with an error, which runpod-python raises.
      ['get_pod', 'QueryError'],
    ]);
    expect(rest[0]?.value).toMatchObject({ id: podId, desiredStatus: 'RUNNING', runtime: { ports: [{ privatePort: 7777, isIpPublic: true, type: 'tcp' }] } });
    expect(rest[1]?.value).toEqual([expect.objectContaining({ id: podId })]);
    expect(rest[3]?.value).toMatchObject({ id: podId, desiredStatus: 'RUNNING' });
    expect(api.refusals).toEqual([]);
  });

  it('for the same intent, our requests resolve to the same arguments as runpod-python’s', async () => {
    const want = intent();
    // Ours.
    const ours = mark();
    const client = providerClientFor({ provider: 'runpod' }, api.env());
    const created = await client.create(want);
    await until(async () => (await client.get(created.id))?.state === 'running', 'our pod to run');
    await client.stop(created.id);
    await client.start(created.id);
    await client.destroy(created.id);
    const theirs = mark();
    // Theirs, for the same profile, written as runpod-python's create_pod documents its arguments, by
    // hand and not by our helpers: "CUDA 12.8 or newer" is the list of every version RunPod names from
    // 12.8 (allowed_cuda_versions is a list, not a floor), ports as "7777/tcp", env as a dict.
    expect(want.cudaMin).toBe('12.8');
    const [, made] = await oracle('runpod', [
      { call: 'get_gpu', args: ['NVIDIA GeForce RTX 4090', 1] },
      {
        call: 'create_pod',
        kwargs: {
          name: want.name,
          image_name: want.image,
          gpu_type_id: want.gpuType,
          cloud_type: 'ALL',
          support_public_ip: true,
          start_ssh: false,
          gpu_count: want.gpuCount,
          volume_in_gb: want.volumeGb,
          container_disk_in_gb: want.containerDiskGb,
          ports: `${want.port}/tcp`,
          volume_mount_path: want.volumeMount,
          env: want.env,
          allowed_cuda_versions: ['12.8', '12.9', '13.0'],
        },
      },
    ]);
    const podId = made?.value.id as string;
    await until(async () => api.pod(podId)?.ports !== null, 'their pod to boot');
    await oracle('runpod', [
      { call: 'get_pod', args: [podId] },
      { call: 'stop_pod', args: [podId] },
      { call: 'resume_pod', args: [podId, 1] },
      { call: 'terminate_pod', args: [podId] },
    ]);
    expect(api.refusals).toEqual([]);

    const ourDeploy = callsOf('podFindAndDeployOnDemand', ours, theirs)[0]?.args['input'] as Record<string, unknown>;
    const theirDeploy = callsOf('podFindAndDeployOnDemand', theirs)[0]?.args['input'] as Record<string, unknown>;
    // Everything both send is the same value.
    for (const field of Object.keys(ourDeploy).filter((key) => key in theirDeploy)) expect(ourDeploy[field], field).toEqual(theirDeploy[field]);
    // runpod-python adds its own defaults; the rest it sends we send too.
    expect(
      Object.keys(theirDeploy)
        .filter((key) => !(key in ourDeploy))
        .sort(),
    ).toEqual(['dataCenterId', 'minMemoryInGb', 'minVcpuCount']);
    // It writes startSsh only when true; we say false outright: the worker image runs no SSH daemon.
    expect(Object.keys(ourDeploy).filter((key) => !(key in theirDeploy))).toEqual(['startSsh']);
    // The price, stop, resume and terminate: the same arguments.
    const price = (from: number, to?: number) => callsOf('lowestPrice', from, to)[0]?.args;
    expect(price(ours, theirs)).toEqual(price(theirs));
    for (const operation of ['podStop', 'podResume', 'podTerminate']) {
      const strip = (call: FixtureCall | undefined) => ({ ...(call?.args['input'] as object), podId: 'POD' });
      expect(strip(callsOf(operation, ours, theirs)[0]), operation).toEqual(strip(callsOf(operation, theirs)[0]));
    }
  });
});

describe('the vastai SDK 1.9.1 against the Vast.ai fixture', () => {
  it('runs its search, create, show, list, stop, start and destroy calls, every one accepted by the published schema', async () => {
    const [offers, created] = await oracle('vast', [
      {
        call: 'search_offers',
        kwargs: { query: 'gpu_name=RTX_4090 num_gpus=1 cuda_vers>=13.0 direct_port_count>=1', order: 'dph_total', limit: 5, storage: 130 },
      },
      {
        call: 'create_instance',
        kwargs: {
          id: 7,
          image: intent().image,
          disk: 130,
          label: 'nodetool-oracle-1',
          runtype: 'args',
          env: { '-p 7777:7777': '1', NODETOOL_WORKER_TOKEN: 'a'.repeat(64) },
        },
      },
    ]);
    // Its default filters drop the unverified offer; the 2-GPU one is not asked for.
    expect((offers?.value as Array<{ id: number }>).map((offer) => offer.id)).toEqual([7]);
    expect(created?.value).toMatchObject({ success: true, new_contract: expect.any(Number) });
    const id = created?.value.new_contract as number;
    await until(async () => api.instance(String(id))?.actual_status === 'running', 'the instance to run');
    const rest = await oracle('vast', [
      { call: 'show_instance', kwargs: { id } },
      { call: 'show_instances' },
      { call: 'stop_instance', kwargs: { id } },
      { call: 'start_instance', kwargs: { id } },
      { call: 'destroy_instance', kwargs: { id } },
      { call: 'show_instance', kwargs: { id } },
    ]);
    expect(rest.map((result) => [result.call, result.error ?? 'ok'])).toEqual(
      ['show_instance', 'show_instances', 'stop_instance', 'start_instance', 'destroy_instance', 'show_instance'].map((call) => [call, 'ok']),
    );
    // The row it reads (it computes `duration` from start_date and a dict from extra_env), and the
    // missing instance as None: Vast answers 200 {"instances": null}.
    expect(rest[0]?.value).toMatchObject({ id, label: 'nodetool-oracle-1', actual_status: 'running', extra_env: { NODETOOL_WORKER_TOKEN: 'a'.repeat(64) } });
    expect(rest[1]?.value).toHaveLength(1);
    expect(rest[5]?.value).toBeNull();
    expect(api.refusals).toEqual([]);
  });

  it('pages through the v1 instance list as the official client does, and so do we', async () => {
    for (let index = 0; index < 57; index++)
      api.setInstance(String(50_000 + index), { actual_status: 'running', public_ipaddr: null, ports: {}, label: `x-${index}` });
    const [listed] = await oracle('vast', [{ call: 'show_instances' }]);
    expect(listed?.value).toHaveLength(57);
    const ours = await providerClientFor({ provider: 'vast' }, api.env()).list();
    expect(ours.map((instance) => Number(instance.id)).sort()).toEqual((listed?.value as Array<{ id: number }>).map((row) => row.id).sort());
    const pages = (from: number) => callsOf('list', from).map((call) => call.args['after_token'] ?? null);
    expect(pages(0)).toEqual([null, 'after:50024', 'after:50049', null, 'after:50024', 'after:50049']);
    expect(api.refusals).toEqual([]);
  });

  it('for the same intent, our search and create resolve to the same arguments as the official client’s', async () => {
    const want = intent({ gpuType: 'RTX_4090', volumeMount: '/data', cudaMin: '13.0', maxPricePerHour: 0.6 });
    const ours = mark();
    const client = providerClientFor({ provider: 'vast' }, api.env());
    const created = await client.create(want);
    await until(async () => (await client.get(created.id))?.state === 'running', 'our instance to run');
    await client.stop(created.id);
    await client.start(created.id);
    await client.destroy(created.id);
    const theirs = mark();
    const disk = want.containerDiskGb + want.volumeGb;
    const [, made] = await oracle('vast', [
      {
        call: 'search_offers',
        kwargs: {
          query: `gpu_name=${want.gpuType} num_gpus=${want.gpuCount} cuda_vers>=${want.cudaMin} direct_port_count>=1 dph_total<=${want.maxPricePerHour}`,
          order: 'dph_total',
          limit: 10,
          storage: disk,
        },
      },
      {
        // The env as Vast documents it for the CLI and the SDK: a docker-style string of -p and -e
        // options, which vastai's own parse_env turns into the request's map.
        call: 'create_instance',
        kwargs: {
          id: 7,
          image: want.image,
          disk,
          label: want.name,
          runtype: 'args',
          env: `-p ${want.port}:${want.port} ${Object.entries(want.env)
            .map(([name, value]) => `-e ${name}=${value}`)
            .join(' ')}`,
        },
      },
    ]);
    const id = made?.value.new_contract as number;
    await until(async () => api.instance(String(id))?.actual_status === 'running', 'their instance to run');
    await oracle('vast', [
      { call: 'stop_instance', kwargs: { id } },
      { call: 'start_instance', kwargs: { id } },
      { call: 'destroy_instance', kwargs: { id } },
    ]);
    expect(api.refusals).toEqual([]);

    // The search: the same filters once numbers are numbers (theirs come as strings) and `cuda_vers` is `cuda_max_good`.
    const resolved = (call: FixtureCall | undefined) =>
      Object.fromEntries(
        Object.entries(call?.args ?? {}).map(([key, value]) => [
          key,
          value && typeof value === 'object' && !Array.isArray(value)
            ? Object.fromEntries(
                Object.entries(value).map(([op, operand]) => [
                  op,
                  typeof operand === 'string' && operand.trim() !== '' && !Number.isNaN(Number(operand)) ? Number(operand) : operand,
                ]),
              )
            : value,
        ]),
      );
    const ourSearch = resolved(callsOf('search', ours, theirs)[0]);
    const theirSearch = resolved(callsOf('search', theirs)[0]);
    expect(ourSearch['gpu_name']).toEqual({ eq: 'RTX 4090' });
    for (const field of Object.keys(ourSearch).filter((key) => key in theirSearch)) expect(ourSearch[field], field).toEqual(theirSearch[field]);
    // We add `rented` (a filter Vast's schema says the server drops, which the CLI applies to the answer, as we do); nothing else differs.
    expect(Object.keys(ourSearch).filter((key) => !(key in theirSearch))).toEqual(['rented']);
    expect(Object.keys(theirSearch).filter((key) => !(key in ourSearch))).toEqual([]);

    // The create: every field we send is the official client's value; it adds nulls and defaults of its own.
    const ourCreate = callsOf('create', ours, theirs)[0]?.args as Record<string, unknown>;
    const theirCreate = callsOf('create', theirs)[0]?.args as Record<string, unknown>;
    for (const field of Object.keys(ourCreate)) expect(ourCreate[field], field).toEqual(theirCreate[field]);
    for (const operation of ['manage', 'destroy']) {
      const strip = (calls: FixtureCall[]) => calls.map((call) => ({ ...call.args, id: 'ID' }));
      expect(strip(callsOf(operation, ours, theirs)), operation).toEqual(strip(callsOf(operation, theirs)));
    }
  });
});

// Interruptible capacity. runpod-python has no call for it: SkyPilot's RunPod provisioner (PyPI skypilot,
// create_spot_pod over generate_spot_pod_deployment_mutation) is the independent client. For Vast's bids,
// the vastai SDK's search with type "bid" and create with bid_price (the payload its CLI builds too).
describe('interruptible capacity against the fixtures: SkyPilot for RunPod, the vastai SDK for Vast.ai', () => {
  it('SkyPilot’s interruptible pod is accepted by the schema, and ours resolves to the same arguments', async () => {
    const want = intent({ interruptible: true });
    const ours = mark();
    const client = providerClientFor({ provider: 'runpod' }, api.env());
    const quote = await client.quote(want);
    // The bid is RunPod's minimum for the type now (the fixture's minimumBid), for the whole pod.
    expect(quote).toEqual({ provider: 'runpod', gpu: '1× NVIDIA GeForce RTX 4090', pricePerHour: 0.34, interruptible: true });
    const created = await client.create(want);
    expect(created.pricePerHour).toBe(0.34);
    const theirs = mark();
    // Theirs, with the arguments create_spot_pod documents, written by hand: the bid as a literal, the
    // CUDA versions as the list RunPod names from 12.8, ports as "7777/tcp", env as a dict.
    const [made] = await oracle('skypilot', [
      {
        call: 'create_spot_pod',
        kwargs: {
          name: want.name,
          image_name: want.image,
          gpu_type_id: 'NVIDIA GeForce RTX 4090',
          bid_per_gpu: 0.34,
          cloud_type: 'ALL',
          volume_mount_path: '/workspace',
          gpu_count: 1,
          container_disk_in_gb: 30,
          volume_in_gb: 100,
          ports: '7777/tcp',
          start_ssh: false,
          support_public_ip: true,
          env: want.env,
          docker_args: '',
          allowed_cuda_versions: ['12.8', '12.9', '13.0'],
        },
      },
    ]);
    expect(made?.error, made?.message).toBeUndefined();
    expect(api.pod(made?.value.id as string)?.interruptible).toBe(true);
    expect(api.refusals).toEqual([]);
    const ourRent = callsOf('podRentInterruptable', ours, theirs)[0]?.args['input'] as Record<string, unknown>;
    const theirRent = callsOf('podRentInterruptable', theirs)[0]?.args['input'] as Record<string, unknown>;
    for (const field of Object.keys(ourRent).filter((key) => key in theirRent)) expect(ourRent[field], field).toEqual(theirRent[field]);
    // SkyPilot adds its own floors for memory and CPUs; it writes startSsh only when true, and we say false outright.
    expect(
      Object.keys(theirRent)
        .filter((key) => !(key in ourRent))
        .sort(),
    ).toEqual(['minMemoryInGb', 'minVcpuCount']);
    expect(Object.keys(ourRent).filter((key) => !(key in theirRent))).toEqual(['startSsh']);
    // A bid under the minimum is refused, as RunPod refuses it.
    const [low] = await oracle('skypilot', [
      { call: 'create_spot_pod', kwargs: { name: 'low', image_name: want.image, gpu_type_id: 'NVIDIA GeForce RTX 4090', bid_per_gpu: 0.1 } },
    ]);
    expect(low?.message).toMatch(/below the current minimum bid/);
  });

  it('the vastai SDK’s bid search and bid create are accepted, and ours resolve to the same arguments', async () => {
    const want = intent({ gpuType: 'RTX_4090', volumeMount: '/data', cudaMin: '13.0', maxPricePerHour: 0.6, interruptible: true });
    const ours = mark();
    const client = providerClientFor({ provider: 'vast' }, api.env());
    const created = await client.create(want);
    expect(api.instance(created.id)?.interruptible).toBe(true);
    const theirs = mark();
    const disk = want.containerDiskGb + want.volumeGb;
    const [found, made] = await oracle('vast', [
      {
        call: 'search_offers',
        kwargs: {
          query: `gpu_name=${want.gpuType} num_gpus=${want.gpuCount} cuda_vers>=${want.cudaMin} direct_port_count>=1 dph_total<=${want.maxPricePerHour}`,
          type: 'bid',
          order: 'dph_total',
          limit: 10,
          storage: disk,
        },
      },
      {
        call: 'create_instance',
        kwargs: {
          id: 7,
          image: want.image,
          disk,
          label: want.name,
          runtype: 'args',
          bid_price: 0.2,
          env: `-p ${want.port}:${want.port} ${Object.entries(want.env)
            .map(([name, value]) => `-e ${name}=${value}`)
            .join(' ')}`,
        },
      },
    ]);
    expect(found?.error, found?.message).toBeUndefined();
    expect(made?.error, made?.message).toBeUndefined();
    expect(api.refusals).toEqual([]);
    const ourSearch = callsOf('search', ours, theirs)[0]?.args as Record<string, unknown>;
    const theirSearch = callsOf('search', theirs)[0]?.args as Record<string, unknown>;
    expect([ourSearch['type'], theirSearch['type']]).toEqual(['bid', 'bid']);
    const ourCreate = callsOf('create', ours, theirs)[0]?.args as Record<string, unknown>;
    const theirCreate = callsOf('create', theirs)[0]?.args as Record<string, unknown>;
    expect(ourCreate['price']).toBe(0.2);
    for (const field of Object.keys(ourCreate)) expect(ourCreate[field], field).toEqual(theirCreate[field]);
  });

  it('a reclaim stops the instance and its worker at both providers, and our client reads it as stopped', async () => {
    const runpod = providerClientFor({ provider: 'runpod' }, api.env());
    const vast = providerClientFor({ provider: 'vast' }, api.env());
    const pod = await runpod.create(intent({ interruptible: true }));
    const instance = await vast.create(intent({ gpuType: 'RTX_4090', cudaMin: '13.0', maxPricePerHour: 0.6, interruptible: true }));
    await until(async () => (await runpod.get(pod.id))?.state === 'running' && (await vast.get(instance.id))?.state === 'running', 'both to run');
    api.reclaim('runpod', pod.id);
    api.reclaim('vast', instance.id);
    expect((await runpod.get(pod.id))?.state).toBe('stopped');
    expect((await vast.get(instance.id))?.state).toBe('stopped');
    // An on-demand pod is never reclaimed.
    const steady = await runpod.create(intent());
    expect(() => api.reclaim('runpod', steady.id)).toThrow(/not interruptible/);
  });
});
