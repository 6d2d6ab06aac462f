import { WorkerUnreachableError } from '../errors.js';
import { callProviderApi, type ProviderApi } from './providerApi.js';
import type { ProviderAddress } from './providerAddress.js';

/** Where a worker listens now: the public side of its port mapping. */
export interface WorkerEndpoint {
  host: string;
  port: number;
}

const POD_QUERY =
  'query WorkerPod($podId: String!) { pod(input: { podId: $podId }) { id desiredStatus runtime { ports { ip isIpPublic privatePort publicPort type } } } }';

interface RunpodPort {
  ip?: string;
  isIpPublic?: boolean;
  privatePort?: number;
  publicPort?: number;
  type?: string;
}

/**
 * Finds a RunPod pod's public TCP mapping of the worker's port through the GraphQL API. A pod that does
 * not exist, is not running, or exposes the port only through RunPod's HTTP proxy is a
 * WorkerUnreachableError that says which, and what to change.
 */
export async function locateRunpodWorker(api: ProviderApi, address: ProviderAddress): Promise<WorkerEndpoint> {
  const { body } = await callProviderApi(api, '', { method: 'POST', body: { query: POD_QUERY, variables: { podId: address.id } } });
  const reply = (body ?? {}) as {
    data?: { pod?: { desiredStatus?: string; runtime?: { ports?: RunpodPort[] | null } | null } | null };
    errors?: Array<{ message?: string }>;
  };
  const pod = reply.data?.pod;
  if (!pod) {
    const said = reply.errors
      ?.map((error) => error.message)
      .filter(Boolean)
      .join('; ');
    throw new WorkerUnreachableError(`RunPod has no pod ${address.id} for this API key${said ? ` (${said})` : ''}`);
  }
  if (pod.desiredStatus !== 'RUNNING')
    throw new WorkerUnreachableError(`RunPod pod ${address.id} is not running (its status: ${pod.desiredStatus ?? 'unknown'})`);
  const ports = pod.runtime?.ports;
  if (!ports) throw new WorkerUnreachableError(`RunPod pod ${address.id} is starting: it has no network ports yet`);
  const mapping = ports.find((port) => port.privatePort === address.port && port.type === 'tcp' && port.isIpPublic === true && port.ip && port.publicPort);
  if (!mapping) {
    const overHttp = ports.some((port) => port.privatePort === address.port && port.type === 'http');
    throw new WorkerUnreachableError(
      `RunPod pod ${address.id} has no public TCP mapping of port ${address.port}${overHttp ? ' (only an HTTP proxy one, which is not a direct link)' : ''}: add "${address.port}/tcp" to the pod's exposed TCP ports (its template's ports) and give it a public IP`,
    );
  }
  return { host: mapping.ip as string, port: mapping.publicPort as number };
}
