import { WorkerUnreachableError } from '@nt/bridge';
import type { ProviderAddress } from '../providerAddress.js';
import type { ProviderApi } from '../providerApi.js';
import type { WorkerEndpoint } from '../workerEndpoint.js';
import { vastCall } from './vastApi.js';
import type { VastInstance } from './vastInstance.js';

/**
 * Finds a Vast.ai instance's public address and the host port Docker mapped to the worker's port,
 * through `GET /api/v0/instances/<id>/`. An instance that does not exist, is not running, or has no
 * mapping of the port is a WorkerUnreachableError that says which, and what to change.
 */
export async function locateVastWorker(api: ProviderApi, address: ProviderAddress): Promise<WorkerEndpoint> {
  const instance = await getVastInstance(api, address.id);
  if (!instance) throw new WorkerUnreachableError(`Vast.ai has no instance ${address.id} for this API key`);
  if (instance.actual_status !== 'running')
    throw new WorkerUnreachableError(`Vast.ai instance ${address.id} is not running (its status: ${instance.actual_status ?? 'unknown'})`);
  const host = instance.public_ipaddr?.trim();
  if (!host) throw new WorkerUnreachableError(`Vast.ai instance ${address.id} has no public IP address yet`);
  const hostPort = Number(instance.ports?.[`${address.port}/tcp`]?.find((binding) => binding.HostPort)?.HostPort);
  if (!Number.isInteger(hostPort) || hostPort < 1 || hostPort > 65535) {
    throw new WorkerUnreachableError(
      `Vast.ai instance ${address.id} has no mapping of port ${address.port}/tcp: create it with "-p ${address.port}:${address.port}" in its Docker options`,
    );
  }
  return { host, port: hostPort };
}

/** One instance, or null when Vast has none of that id for this key (it answers 200 with `{"instances": null}`; a 404 counts the same). */
export async function getVastInstance(api: ProviderApi, id: string): Promise<VastInstance | null> {
  const { status, body } = await vastCall(api, 'GET', `/api/v0/instances/${encodeURIComponent(id)}/`, { query: { owner: 'me' } });
  const instance = (body as { instances?: VastInstance | null } | null)?.instances;
  return status === 404 || !instance || typeof instance !== 'object' ? null : instance;
}
