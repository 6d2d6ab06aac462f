import { WorkerUnreachableError } from '@nt/bridge';
import type { ProviderAddress } from '../providerAddress.js';
import type { ProviderApi } from '../providerApi.js';
import type { WorkerEndpoint } from '../workerEndpoint.js';
import { runpodGraphql } from './runpodGraphql.js';
import { POD_QUERY, type RunpodPod } from './runpodQueries.js';

/**
 * Finds a RunPod pod's public TCP mapping of the worker's port. A pod that does not exist, is not
 * running, or exposes the port only through RunPod's HTTP proxy is a WorkerUnreachableError that says
 * which, and what to change.
 */
export async function locateRunpodWorker(api: ProviderApi, address: ProviderAddress): Promise<WorkerEndpoint> {
  const { pod } = await runpodGraphql<{ pod?: RunpodPod | null }>(api, POD_QUERY, { podId: address.id }, true);
  if (!pod) throw new WorkerUnreachableError(`RunPod has no pod ${address.id} for this API key`);
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
