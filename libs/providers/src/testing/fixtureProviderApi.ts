import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runpodFixture, type FixtureGpuType, type FixturePod } from '../runpod/testing/runpodFixture.js';
import { vastFixture, type FixtureInstance, type FixtureOffer } from '../vast/testing/vastFixture.js';
import { BootLifecycle, type FixtureCall, type FixtureLifecycle } from './bootLifecycle.js';

export interface FixtureProviderOptions extends FixtureLifecycle {
  /** RunPod's GPU types by id: price per GPU, display name, the CUDA versions of its hosts. */
  runpodGpus?: Record<string, FixtureGpuType>;
  /** Vast.ai's offers. */
  vastOffers?: FixtureOffer[];
}

export interface FixtureRequest {
  provider: 'runpod' | 'vast';
  method: string;
  path: string;
  authorized: boolean;
  status: number;
}

export interface FixtureProviderApi {
  /** NODETOOL_RUNPOD_API_URL: the GraphQL endpoint. */
  runpodUrl: string;
  /** RUNPOD_API_BASE_URL for the official runpod-python (it appends /graphql). */
  runpodBase: string;
  /** NODETOOL_VAST_API_URL, and the official vastai client's server_url. */
  vastUrl: string;
  /** The settings that point our clients at the fixture, with the fixture's keys. */
  env(): Record<string, string>;
  setPod(id: string, pod: FixturePod | null): void;
  pod(id: string): FixturePod | undefined;
  /** A RUNNING pod whose worker port (private 7777 by default) is mapped to host:port, TCP, public. */
  podAt(id: string, host: string, port: number, privatePort?: number): void;
  setInstance(id: string, instance: FixtureInstance | null): void;
  instance(id: string): FixtureInstance | undefined;
  instanceAt(id: string, host: string, port: number, privatePort?: number): void;
  /** RunPod's offer of a GPU type changes (a new price, or none available: null). */
  setRunpodGpu(id: string, type: FixtureGpuType | null): void;
  /** Vast.ai's offers change: these are the ones on the market from now on. */
  setVastOffers(offers: FixtureOffer[]): void;
  /** The provider takes an interruptible instance back (`runpod` pod id or `vast` instance id): it stops, and its worker goes. */
  reclaim(provider: 'runpod' | 'vast', id: string): void;
  /** Answer every request with this HTTP status (an outage: 503), or null to answer normally. */
  failWith(status: number | null): void;
  /** Every HTTP request: where, whether it carried the right key, and the status answered. */
  readonly requests: FixtureRequest[];
  /** Every operation executed, with its arguments as the API resolved them (GraphQL variables and literals alike). */
  readonly calls: FixtureCall[];
  /** Every request refused as malformed (400), with the reason: a client under test must cause none. */
  readonly refusals: Array<{ provider: 'runpod' | 'vast'; path: string; reason: unknown }>;
  close(): Promise<void>;
}

/**
 * TEST FIXTURE: RunPod's GraphQL API and Vast.ai's REST API on 127.0.0.1, one server, checked against
 * the providers' own schemas and clients (see each provider's testing/ folder, and
 * officialClients.integration.ts). A created or started instance "boots" after a delay by asking the
 * test to start a real worker. Keys: the `Authorization: Bearer` header, or `?api_key=` as RunPod's and
 * Vast's older clients send it. Never shipped.
 */
export async function startFixtureProviderApi(keys: { runpod: string; vast: string }, options: FixtureProviderOptions = {}): Promise<FixtureProviderApi> {
  const lifecycle = new BootLifecycle(options);
  const calls: FixtureCall[] = [];
  const requests: FixtureRequest[] = [];
  const refusals: FixtureProviderApi['refusals'] = [];
  // The fixtures read these two on every request, so changing them changes the market.
  const gpuTypes: Record<string, FixtureGpuType> = { ...options.runpodGpus };
  const offers: FixtureOffer[] = [...(options.vastOffers ?? [])];
  const runpod = runpodFixture(lifecycle, gpuTypes, calls);
  const vast = vastFixture(lifecycle, offers, calls);
  let failure: number | null = null;

  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const url = new URL(request.url ?? '/', 'http://fixture');
      const provider = url.pathname.startsWith('/runpod') ? 'runpod' : 'vast';
      const presented = request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? url.searchParams.get('api_key');
      const authorized = presented === keys[provider];
      url.searchParams.delete('api_key');
      const path = url.pathname.replace(/^\/(runpod|vast)/, '');
      const answer = (status: number, body: unknown) => {
        requests.push({ provider, method: request.method ?? 'GET', path, authorized, status });
        if (status === 400) refusals.push({ provider, path, reason: body });
        send(response, status, body);
      };
      if (failure !== null) return answer(failure, { error: 'fixture outage' });
      if (!authorized) return answer(provider === 'runpod' ? 401 : 403, { error: 'invalid api key' });
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return answer(400, { error: 'invalid_request', msg: 'Invalid json body' });
      }
      if (provider === 'runpod') {
        if (request.method !== 'POST' || path !== '/graphql') return answer(404, { error: 'no such path' });
        const result = await runpod.handle(body);
        return answer(result.status, result.body);
      }
      const result = vast.handle(request.method ?? 'GET', path, url.searchParams, body);
      return answer(result.status, result.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    runpodUrl: `${base}/runpod/graphql`,
    runpodBase: `${base}/runpod`,
    vastUrl: `${base}/vast`,
    env: () => ({
      RUNPOD_API_KEY: keys.runpod,
      VAST_API_KEY: keys.vast,
      NODETOOL_RUNPOD_API_URL: `${base}/runpod/graphql`,
      NODETOOL_VAST_API_URL: `${base}/vast`,
    }),
    requests,
    calls,
    refusals,
    setPod: (id, pod) => (pod ? runpod.pods.set(id, pod) : runpod.pods.delete(id)),
    pod: (id) => runpod.pods.get(id),
    podAt: (id, host, publicPort, privatePort = 7777) =>
      runpod.pods.set(id, { desiredStatus: 'RUNNING', ports: [{ ip: host, isIpPublic: true, privatePort, publicPort, type: 'tcp' }] }),
    setInstance: (id, instance) => (instance ? vast.instances.set(id, instance) : vast.instances.delete(id)),
    instance: (id) => vast.instances.get(id),
    instanceAt: (id, host, hostPort, privatePort = 7777) =>
      vast.instances.set(id, {
        actual_status: 'running',
        intended_status: 'running',
        public_ipaddr: host,
        ports: { [`${privatePort}/tcp`]: [{ HostIp: '0.0.0.0', HostPort: String(hostPort) }] },
      }),
    setRunpodGpu: (id, type) => {
      if (type) gpuTypes[id] = type;
      else delete gpuTypes[id];
    },
    setVastOffers: (next) => void offers.splice(0, offers.length, ...next),
    reclaim: (provider, id) => (provider === 'runpod' ? runpod.reclaim(id) : vast.reclaim(id)),
    failWith: (status) => (failure = status),
    close: () =>
      new Promise<void>((resolve) => {
        lifecycle.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
