import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * TEST FIXTURE: RunPod's GraphQL `pod` query and Vast.ai's `GET /instances/<id>/` on 127.0.0.1, in the
 * shapes their documentation gives, with pods and instances a test sets and moves. Not a provider
 * client and never shipped: the bridge's provider resolution is what it exercises.
 */
export interface FixturePod {
  desiredStatus: 'RUNNING' | 'EXITED' | 'TERMINATED' | string;
  /** null while the pod starts (RunPod gives no runtime yet). */
  ports: Array<{ ip: string; isIpPublic: boolean; privatePort: number; publicPort: number; type: 'tcp' | 'http' }> | null;
}

export interface FixtureInstance {
  actual_status: 'running' | 'loading' | 'exited' | string | null;
  public_ipaddr: string | null;
  ports: Record<string, Array<{ HostIp: string; HostPort: string }>>;
}

export interface FixtureProviderApi {
  /** Base URLs for NODETOOL_RUNPOD_API_URL and NODETOOL_VAST_API_URL. */
  runpodUrl: string;
  vastUrl: string;
  setPod(id: string, pod: FixturePod | null): void;
  setInstance(id: string, instance: FixtureInstance | null): void;
  /** A RUNNING pod whose worker port (private 7777 by default) is mapped to host:port, TCP, public. */
  podAt(id: string, host: string, port: number, privatePort?: number): void;
  instanceAt(id: string, host: string, port: number, privatePort?: number): void;
  /** Answer every request with this HTTP status (an outage: 503), or null to answer normally. */
  failWith(status: number | null): void;
  /** Every request: path, and whether it carried the right key. */
  readonly requests: Array<{ provider: 'runpod' | 'vast'; path: string; authorized: boolean }>;
  close(): Promise<void>;
}

export async function startFixtureProviderApi(keys: { runpod: string; vast: string }): Promise<FixtureProviderApi> {
  const pods = new Map<string, FixturePod>();
  const instances = new Map<string, FixtureInstance>();
  const requests: FixtureProviderApi['requests'] = [];
  let failure: number | null = null;

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
      requests.push({ provider, path, authorized });
      if (failure !== null) return send(response, failure, { error: 'fixture outage' });
      if (!authorized) return send(response, provider === 'runpod' ? 401 : 403, { error: 'invalid api key' });
      if (provider === 'runpod') {
        if (request.method !== 'POST' || path !== '/runpod/graphql') return send(response, 404, { error: 'no such path' });
        const query = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query?: string; variables?: { podId?: string } };
        if (!query.query?.includes('pod(input')) return send(response, 400, { errors: [{ message: 'the fixture answers only the pod query' }] });
        const pod = pods.get(query.variables?.podId ?? '');
        if (!pod) return send(response, 200, { data: { pod: null }, errors: [{ message: 'pod not found' }] });
        return send(response, 200, {
          data: { pod: { id: query.variables?.podId, desiredStatus: pod.desiredStatus, runtime: pod.ports ? { ports: pod.ports } : null } },
        });
      }
      const match = /^\/vast\/api\/v0\/instances\/([^/]+)\/$/.exec(path);
      if (request.method !== 'GET' || !match) return send(response, 404, { error: 'no such path' });
      const instance = instances.get(decodeURIComponent(match[1] as string));
      if (!instance) return send(response, 404, { success: false, error: 'no_such_instance' });
      return send(response, 200, { instances: instance });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    runpodUrl: `http://127.0.0.1:${port}/runpod/graphql`,
    vastUrl: `http://127.0.0.1:${port}/vast/api/v0`,
    requests,
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
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
