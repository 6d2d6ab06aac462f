import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, createPythonBridge, WorkerUnreachableError, workerPoolFromEnv } from '@nt/bridge';
import { startFakeWorker } from '@nt/test-fixtures';
import { parseProviderUrl, providerUrl } from './providerAddress.js';
import { ProviderCallError, ProviderKeyRejectedError } from './providerErrors.js';
import { providerLocator } from './providerLocator.js';
import { providerResolver } from './providerResolver.js';
import { findProvider } from './registry.js';
import { startFixtureProviderApi, type FixtureProviderApi } from './testing/index.js';

const RUNPOD_KEY = 'rpa_fixture_key_0123456789';
const VAST_KEY = 'vast-fixture-key-abcdef';
let api: FixtureProviderApi;
let env: NodeJS.ProcessEnv;
const cleanups: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  api = await startFixtureProviderApi({ runpod: RUNPOD_KEY, vast: VAST_KEY });
  env = api.env();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await api.close();
});

/** The error a resolution fails with, and proof that no key is in its text. */
async function failure(resolve: () => Promise<string>): Promise<Error> {
  const error = await resolve().then(
    () => null,
    (caught: Error) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  expect(String(error?.message)).not.toContain(RUNPOD_KEY);
  expect(String(error?.message)).not.toContain(VAST_KEY);
  return error as Error;
}

describe('runpod:// and vast:// worker addresses', () => {
  it('parses an id with optional port and tls, and names what is wrong otherwise', () => {
    expect(parseProviderUrl('runpod://abc123xyz')).toEqual({ provider: findProvider('runpod'), id: 'abc123xyz', port: 7777, tls: false });
    expect(parseProviderUrl('vast://4242?port=8000&tls=1')).toEqual({ provider: findProvider('vast'), id: '4242', port: 8000, tls: true });
    expect(providerUrl(parseProviderUrl('vast://4242?port=8000&tls=1'))).toBe('vast://4242?port=8000&tls=1');
    expect(() => parseProviderUrl('lambda://abc')).toThrow(/is not a runpod:\/\/ or vast:\/\/ URL/);
    expect(() => parseProviderUrl('vast://not-a-number')).toThrow(/must name a numeric instance id/);
    expect(() => parseProviderUrl('runpod://abc123xyz?port=99999')).toThrow(/port "99999"; expected 1-65535/);
    expect(() => parseProviderUrl('runpod://abc123xyz?region=eu')).toThrow(/unknown parameter "region"/);
    expect(() => parseProviderUrl('runpod://abc123xyz:7777')).toThrow(/only an id/);
  });

  it('is accepted wherever a worker URL is, through the locator the bridge is given: the bridge, the pool list, the workers file', () => {
    const locator = providerLocator;
    expect(createPythonBridge({ wsUrl: 'runpod://abc123xyz', env, locator }).target).toBe('runpod://abc123xyz');
    const pool = workerPoolFromEnv({ ...env, NODETOOL_WORKER_URL: 'runpod://abc123xyz,vast://4242?tls=1,ws://127.0.0.1:8787' }, locator);
    expect(pool.workers.map((worker) => worker.id)).toEqual(['runpod://abc123xyz', 'vast://4242?tls=1', 'ws://127.0.0.1:8787']);
    expect(() => workerPoolFromEnv({ NODETOOL_WORKER_URL: 'vast://12', NODETOOL_WORKER_DISCOVERY: 'dns' }, locator)).toThrow(/found through its provider/);
    expect(() => workerPoolFromEnv({ NODETOOL_WORKER_URL: 'lambda://12' }, locator)).toThrow(/must start with ws:\/\/, wss:\/\/, runpod:\/\/ or vast:\/\//);
  });

  it('refuses to start without the provider key, or with an API base that would send it in the clear', () => {
    const locator = providerLocator;
    expect(() => createPythonBridge({ wsUrl: 'runpod://abc123xyz', env: {}, locator })).toThrow(ConfigError);
    expect(() => createPythonBridge({ wsUrl: 'runpod://abc123xyz', env: {}, locator })).toThrow(/need RUNPOD_API_KEY/);
    expect(() => createPythonBridge({ wsUrl: 'vast://12', env: { VAST_API_KEY: 'k' }, locator })).not.toThrow();
    expect(() => createPythonBridge({ wsUrl: 'vast://12', env: { VAST_API_KEY: 'k', NODETOOL_VAST_API_URL: 'http://api.example.com' }, locator })).toThrow(
      /NODETOOL_VAST_API_URL must be https:\/\//,
    );
  });

  it('finds a RunPod pod’s public TCP mapping of the worker port, with the key only in the Authorization header', async () => {
    api.podAt('abc123xyz', '203.0.113.7', 41234);
    expect(await providerResolver('runpod://abc123xyz', { env })()).toBe('ws://203.0.113.7:41234');
    api.setPod('tls0pod', { desiredStatus: 'RUNNING', ports: [{ ip: '2001:db8::5', isIpPublic: true, privatePort: 8443, publicPort: 40001, type: 'tcp' }] });
    expect(await providerResolver('runpod://tls0pod?port=8443&tls=1', { env })()).toBe('wss://[2001:db8::5]:40001');
    expect(api.requests.every((request) => request.authorized && !request.path.includes(RUNPOD_KEY))).toBe(true);
  });

  it('finds a Vast.ai instance’s public address and the host port of the worker port', async () => {
    api.instanceAt('4242', '198.51.100.9', 52001);
    expect(await providerResolver('vast://4242', { env })()).toBe('ws://198.51.100.9:52001');
  });

  it('says why a pod cannot be reached: not found, not running, starting, only behind the HTTP proxy', async () => {
    expect((await failure(providerResolver('runpod://nosuchpod', { env }))).message).toMatch(/RunPod has no pod nosuchpod/);
    api.setPod('stopped01', { desiredStatus: 'EXITED', ports: null });
    expect((await failure(providerResolver('runpod://stopped01', { env }))).message).toMatch(/not running \(its status: EXITED\)/);
    api.setPod('starting1', { desiredStatus: 'RUNNING', ports: null });
    expect((await failure(providerResolver('runpod://starting1', { env }))).message).toMatch(/is starting/);
    api.setPod('httponly1', { desiredStatus: 'RUNNING', ports: [{ ip: '100.64.0.1', isIpPublic: false, privatePort: 7777, publicPort: 7777, type: 'http' }] });
    const http = await failure(providerResolver('runpod://httponly1', { env }));
    expect(http).toBeInstanceOf(WorkerUnreachableError);
    expect(http.message).toMatch(/no public TCP mapping of port 7777 \(only an HTTP proxy one.*add "7777\/tcp" to the pod's exposed TCP ports/);
  });

  it('says why an instance cannot be reached: not found, not running, no mapping of the port', async () => {
    expect((await failure(providerResolver('vast://999', { env }))).message).toMatch(/Vast.ai has no instance 999/);
    api.setInstance('5', { actual_status: 'loading', public_ipaddr: '198.51.100.9', ports: {} });
    expect((await failure(providerResolver('vast://5', { env }))).message).toMatch(/not running \(its status: loading\)/);
    api.instanceAt('6', '198.51.100.9', 52001, 22);
    expect((await failure(providerResolver('vast://6', { env }))).message).toMatch(/no mapping of port 7777\/tcp: create it with "-p 7777:7777"/);
  });

  it('names the variable of a rejected key (a setting to fix), and treats an API outage as an unreachable worker', async () => {
    api.podAt('abc123xyz', '203.0.113.7', 41234);
    const rejected = await failure(providerResolver('runpod://abc123xyz', { env: { ...env, RUNPOD_API_KEY: 'wrong-key' } }));
    expect(rejected).toBeInstanceOf(ProviderKeyRejectedError);
    expect(rejected).toBeInstanceOf(ConfigError);
    expect(rejected.message).toMatch(/refused RUNPOD_API_KEY \(HTTP 401\)/);
    expect((await failure(providerResolver('vast://1', { env: { ...env, VAST_API_KEY: 'nope' } }))).message).toMatch(/refused VAST_API_KEY \(HTTP 403\)/);
    api.failWith(503);
    const down = await failure(providerResolver('runpod://abc123xyz', { env }));
    expect(down).toBeInstanceOf(WorkerUnreachableError);
    expect(down.message).toMatch(/answered HTTP 503/);
    await api.close();
    const gone = await failure(providerResolver('runpod://abc123xyz', { env }));
    expect(gone.message).toMatch(/Cannot reach the RunPod API at http:\/\/127\.0\.0\.1:\d+\/runpod\/graphql/);
    api = await startFixtureProviderApi({ runpod: RUNPOD_KEY, vast: VAST_KEY });
  });

  it('says what the API refused when it refuses the request itself (HTTP 400), instead of calling it unreachable', async () => {
    const refused = await failure(
      providerResolver('runpod://abc123xyz', {
        env,
        fetch: (url, init) => fetch(url, { ...init, body: JSON.stringify({ query: 'query { pod(input: {podId: 7}) { id } }' }) }),
      }),
    );
    expect(refused).toBeInstanceOf(ProviderCallError);
    expect(refused.message).toMatch(/RunPod Pod failed: The RunPod API refused POST \(HTTP 400\): .*String/);
  });

  it('asks afresh for every connect attempt, reuses an answer (found or failed) for the outage probe for 2 s, and shares a request in flight', async () => {
    let clock = 0;
    api.podAt('abc123xyz', '203.0.113.7', 41234);
    const resolve = providerResolver('runpod://abc123xyz', { env, now: () => clock });
    await Promise.all([resolve('connect'), resolve('probe'), resolve('connect')]);
    expect(api.requests).toHaveLength(1);
    clock = 1_999;
    await resolve('probe');
    expect(api.requests).toHaveLength(1);
    api.podAt('abc123xyz', '203.0.113.7', 41999);
    expect(await resolve('connect')).toBe('ws://203.0.113.7:41999');
    expect(api.requests).toHaveLength(2);
    api.setPod('abc123xyz', null);
    clock = 4_000;
    await failure(() => resolve('probe'));
    clock = 5_000;
    await failure(() => resolve('probe'));
    expect(api.requests).toHaveLength(3);
  });

  it('connects a bridge to the worker where the provider says it is, and follows it to a new port after a restart', async () => {
    const worker = await startFakeWorker({ token: 'fixture-worker-token' });
    cleanups.push(() => worker.stop());
    api.instanceAt('4242', '127.0.0.1', worker.port);
    const bridge = createPythonBridge({
      wsUrl: 'vast://4242',
      workerToken: 'fixture-worker-token',
      env,
      locator: providerLocator,
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
      keepalive: false,
    });
    cleanups.push(() => bridge.close());
    await bridge.connect();
    expect(bridge.target).toBe(`ws://127.0.0.1:${worker.port}`);
    const reconnected = new Promise<void>((resolve) => bridge.on('reconnected', () => resolve()));
    await worker.moveToNewPort();
    api.instanceAt('4242', '127.0.0.1', worker.port);
    await reconnected;
    expect(bridge.target).toBe(`ws://127.0.0.1:${worker.port}`);
    expect((await bridge.execute({ nodeType: 'fake.Echo', fields: { value: 'moved' } })).outputs['output']).toBe('moved');
  }, 20_000);
});
