import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FixturePod {
  desiredStatus: 'RUNNING' | 'EXITED' | 'TERMINATED' | string;
  /** null while the pod starts (RunPod gives no runtime yet). */
  ports: Array<{ ip: string; isIpPublic: boolean; privatePort: number; publicPort: number; type: 'tcp' | 'http' }> | null;
  name?: string;
  costPerHr?: number;
  gpuDisplayName?: string;
  env?: Record<string, string>;
}

export interface FixtureInstance {
  actual_status: 'running' | 'loading' | 'exited' | string | null;
  public_ipaddr: string | null;
  ports: Record<string, Array<{ HostIp: string; HostPort: string }>>;
  label?: string;
  intended_status?: string;
  dph_total?: number;
  gpu_name?: string;
  num_gpus?: number;
  env?: Record<string, string>;
}

/** An instance the fixture created or started: the test boots a real worker for it and says where it listens. */
export interface FixtureBoot {
  provider: 'runpod' | 'vast';
  id: string;
  /** The environment the instance was created with (the worker token among it). */
  env: Record<string, string>;
}

export interface FixtureLifecycle {
  /** How long a created or started instance takes to "boot" before onBoot is called. */
  bootDelayMs?: number;
  /** Start the instance's worker (a real process); its address becomes the instance's port mapping. */
  onBoot?: (boot: FixtureBoot) => Promise<{ host: string; port: number } | 'crash'>;
  /** The instance stopped or was destroyed: stop its worker. */
  onHalt?: (boot: FixtureBoot) => Promise<void>;
  /** RunPod's lowest hourly price per GPU type; Vast.ai's offers. */
  runpodPrices?: Record<string, number>;
  vastOffers?: Array<{ id: number; gpu_name: string; num_gpus: number; dph_total: number; cuda_max_good: number }>;
}

export interface FixtureProviderApi {
  /** Base URLs for NODETOOL_RUNPOD_API_URL and NODETOOL_VAST_API_URL. */
  runpodUrl: string;
  vastUrl: string;
  setPod(id: string, pod: FixturePod | null): void;
  setInstance(id: string, instance: FixtureInstance | null): void;
  pod(id: string): FixturePod | undefined;
  instance(id: string): FixtureInstance | undefined;
  /** A RUNNING pod whose worker port (private 7777 by default) is mapped to host:port, TCP, public. */
  podAt(id: string, host: string, port: number, privatePort?: number): void;
  instanceAt(id: string, host: string, port: number, privatePort?: number): void;
  /** Answer every request with this HTTP status (an outage: 503), or null to answer normally. */
  failWith(status: number | null): void;
  /** Every request: path, the operation, and whether it carried the right key. */
  readonly requests: Array<{ provider: 'runpod' | 'vast'; path: string; operation: string; authorized: boolean }>;
  close(): Promise<void>;
}

/**
 * TEST FIXTURE: the providers' APIs on 127.0.0.1, in the shapes their documentation gives, for the
 * calls we make: RunPod's GraphQL (`pod`, `gpuTypes` price, `podFindAndDeployOnDemand`, `podStop`,
 * `podResume`, `podTerminate`, `myself { pods }`) and Vast.ai's REST (`POST /bundles/`,
 * `PUT /asks/<offer>/`, `GET|PUT|DELETE /instances/<id>/`, `GET /instances/`). A created or started
 * instance "boots" after a delay by asking the test to start a real worker. Never shipped.
 */
export async function startFixtureProviderApi(keys: { runpod: string; vast: string }, lifecycle: FixtureLifecycle = {}): Promise<FixtureProviderApi> {
  const pods = new Map<string, FixturePod>();
  const instances = new Map<string, FixtureInstance>();
  const requests: FixtureProviderApi['requests'] = [];
  const timers = new Set<NodeJS.Timeout>();
  let failure: number | null = null;
  let nextId = 1;

  const boot = (provider: 'runpod' | 'vast', id: string) => {
    const timer = setTimeout(async () => {
      timers.delete(timer);
      const env = (provider === 'runpod' ? pods.get(id)?.env : instances.get(id)?.env) ?? {};
      const at = lifecycle.onBoot ? await lifecycle.onBoot({ provider, id, env }) : 'crash';
      if (provider === 'runpod') {
        const pod = pods.get(id);
        if (!pod || pod.desiredStatus !== 'RUNNING') return;
        if (at === 'crash') pod.desiredStatus = 'EXITED';
        else pod.ports = [{ ip: at.host, isIpPublic: true, privatePort: 7777, publicPort: at.port, type: 'tcp' }];
      } else {
        const instance = instances.get(id);
        if (!instance || instance.intended_status !== 'running') return;
        if (at === 'crash') instance.actual_status = 'exited';
        else
          Object.assign(instance, {
            actual_status: 'running',
            public_ipaddr: at.host,
            ports: { '7777/tcp': [{ HostIp: '0.0.0.0', HostPort: String(at.port) }] },
          });
      }
    }, lifecycle.bootDelayMs ?? 200);
    timers.add(timer);
  };
  const halt = (provider: 'runpod' | 'vast', id: string, env: Record<string, string> | undefined) => void lifecycle.onHalt?.({ provider, id, env: env ?? {} });

  const runpod = (query: string, variables: Record<string, unknown>): { status: number; body: unknown } => {
    const id = String(variables['podId'] ?? variables['id'] ?? '');
    const podView = (podId: string, pod: FixturePod) => ({
      id: podId,
      name: pod.name ?? '',
      desiredStatus: pod.desiredStatus,
      costPerHr: pod.costPerHr ?? null,
      machine: { gpuDisplayName: pod.gpuDisplayName ?? null },
      runtime: pod.ports ? { ports: pod.ports, uptimeInSeconds: 1 } : null,
    });
    if (query.includes('gpuTypes(')) {
      const price = lifecycle.runpodPrices?.[String(variables['id'])];
      return {
        status: 200,
        body: {
          data: {
            gpuTypes: price === undefined ? [] : [{ id: variables['id'], lowestPrice: { uninterruptablePrice: price * Number(variables['count'] ?? 1) } }],
          },
        },
      };
    }
    if (query.includes('podFindAndDeployOnDemand')) {
      const input = variables['input'] as { name: string; gpuTypeId: string; gpuCount: number; env: Array<{ key: string; value: string }>; ports: string };
      const podId = `fixpod${String(nextId++).padStart(4, '0')}`;
      const price = (lifecycle.runpodPrices?.[input.gpuTypeId] ?? 0) * input.gpuCount;
      pods.set(podId, {
        desiredStatus: 'RUNNING',
        ports: null,
        name: input.name,
        costPerHr: price,
        gpuDisplayName: input.gpuTypeId,
        env: Object.fromEntries(input.env.map(({ key, value }) => [key, value])),
      });
      boot('runpod', podId);
      return { status: 200, body: { data: { podFindAndDeployOnDemand: podView(podId, pods.get(podId) as FixturePod) } } };
    }
    if (query.includes('myself')) return { status: 200, body: { data: { myself: { pods: [...pods].map(([podId, pod]) => podView(podId, pod)) } } } };
    const pod = pods.get(id);
    if (!pod) return { status: 200, body: { data: { pod: null }, errors: [{ message: 'pod not found' }] } };
    if (query.includes('podStop')) {
      pod.desiredStatus = 'EXITED';
      pod.ports = null;
      halt('runpod', id, pod.env);
      return { status: 200, body: { data: { podStop: { id, desiredStatus: 'EXITED' } } } };
    }
    if (query.includes('podResume')) {
      if (!query.includes('gpuCount')) return { status: 200, body: { data: null, errors: [{ message: 'podResume needs gpuCount' }] } };
      pod.desiredStatus = 'RUNNING';
      boot('runpod', id);
      return { status: 200, body: { data: { podResume: { id, desiredStatus: 'RUNNING' } } } };
    }
    if (query.includes('podTerminate')) {
      pods.delete(id);
      halt('runpod', id, pod.env);
      return { status: 200, body: { data: { podTerminate: null } } };
    }
    if (query.includes('pod(input')) return { status: 200, body: { data: { pod: podView(id, pod) } } };
    return { status: 400, body: { errors: [{ message: 'the fixture does not answer this query' }] } };
  };

  const vast = (method: string, path: string, body: Record<string, unknown>): { status: number; body: unknown } => {
    if (method === 'POST' && path === '/bundles/') {
      const limit = (body['dph_total'] as { lte?: number } | undefined)?.lte ?? Infinity;
      const gpu = (body['gpu_name'] as { eq?: string } | undefined)?.eq;
      return { status: 200, body: { offers: (lifecycle.vastOffers ?? []).filter((offer) => offer.gpu_name === gpu && offer.dph_total <= limit) } };
    }
    const ask = /^\/asks\/(\d+)\/$/.exec(path);
    if (method === 'PUT' && ask) {
      const offer = lifecycle.vastOffers?.find((candidate) => candidate.id === Number(ask[1]));
      if (!offer) return { status: 400, body: { success: false, error: 'no_such_ask', msg: 'the offer is gone' } };
      const id = String(31000 + nextId++);
      const env = Object.fromEntries(Object.entries((body['env'] as Record<string, string>) ?? {}).filter(([key]) => !key.startsWith('-')));
      instances.set(id, {
        actual_status: 'loading',
        intended_status: 'running',
        public_ipaddr: null,
        ports: {},
        label: String(body['label'] ?? ''),
        dph_total: offer.dph_total,
        gpu_name: offer.gpu_name,
        num_gpus: offer.num_gpus,
        env,
      });
      boot('vast', id);
      return { status: 200, body: { success: true, new_contract: Number(id) } };
    }
    if (method === 'GET' && path === '/instances/')
      return { status: 200, body: { instances: [...instances].map(([id, instance]) => ({ id: Number(id), ...instance, env: undefined })) } };
    const one = /^\/instances\/([^/]+)\/$/.exec(path);
    if (!one) return { status: 404, body: { error: 'no such path' } };
    const id = decodeURIComponent(one[1] as string);
    const instance = instances.get(id);
    if (!instance) return { status: 404, body: { success: false, error: 'no_such_instance' } };
    if (method === 'GET') return { status: 200, body: { instances: { id: Number(id), ...instance, env: undefined } } };
    if (method === 'DELETE') {
      instances.delete(id);
      halt('vast', id, instance.env);
      return { status: 200, body: { success: true } };
    }
    if (method === 'PUT' && body['state'] === 'stopped') {
      Object.assign(instance, { intended_status: 'stopped', actual_status: 'exited', ports: {} });
      halt('vast', id, instance.env);
      return { status: 200, body: { success: true } };
    }
    if (method === 'PUT' && body['state'] === 'running') {
      Object.assign(instance, { intended_status: 'running', actual_status: 'loading' });
      boot('vast', id);
      return { status: 200, body: { success: true } };
    }
    return { status: 400, body: { success: false, msg: 'the fixture does not answer this call' } };
  };

  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const provider = path.startsWith('/runpod') ? 'runpod' : 'vast';
      const authorized = request.headers.authorization === `Bearer ${keys[provider]}`;
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      const operation =
        provider === 'runpod' ? (/\{\s*(\w+)/.exec(String(body['query'] ?? ''))?.[1] ?? '?') : `${request.method} ${path.replace(/\/\d+\//, '/<id>/')}`;
      requests.push({ provider, path, operation, authorized });
      if (failure !== null) return send(response, failure, { error: 'fixture outage' });
      if (!authorized) return send(response, provider === 'runpod' ? 401 : 403, { error: 'invalid api key' });
      if (provider === 'runpod') {
        if (request.method !== 'POST' || path !== '/runpod/graphql') return send(response, 404, { error: 'no such path' });
        const answer = runpod(String(body['query'] ?? ''), (body['variables'] as Record<string, unknown>) ?? {});
        return send(response, answer.status, answer.body);
      }
      if (!path.startsWith('/vast/api/v0/')) return send(response, 404, { error: 'no such path' });
      const answer = vast(request.method ?? 'GET', path.slice('/vast/api/v0'.length), body);
      return send(response, answer.status, answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    runpodUrl: `http://127.0.0.1:${port}/runpod/graphql`,
    vastUrl: `http://127.0.0.1:${port}/vast/api/v0`,
    requests,
    pod: (id) => pods.get(id),
    instance: (id) => instances.get(id),
    setPod: (id, pod) => (pod ? pods.set(id, pod) : pods.delete(id)),
    setInstance: (id, instance) => (instance ? instances.set(id, instance) : instances.delete(id)),
    podAt: (id, host, publicPort, privatePort = 7777) =>
      pods.set(id, { desiredStatus: 'RUNNING', ports: [{ ip: host, isIpPublic: true, privatePort, publicPort, type: 'tcp' }] }),
    instanceAt: (id, host, hostPort, privatePort = 7777) =>
      instances.set(id, {
        actual_status: 'running',
        public_ipaddr: host,
        ports: { [`${privatePort}/tcp`]: [{ HostIp: '0.0.0.0', HostPort: String(hostPort) }] },
      }),
    failWith: (status) => (failure = status),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
