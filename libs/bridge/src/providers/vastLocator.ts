import { WorkerUnreachableError } from '../errors.js';
import { callProviderApi, type ProviderApi } from './providerApi.js';
import type { ProviderAddress } from './providerAddress.js';
import type { WorkerEndpoint } from './runpodLocator.js';

interface VastInstance {
  actual_status?: string | null;
  public_ipaddr?: string | null;
  ports?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null;
}

/**
 * Finds a Vast.ai instance's public address and the host port Docker mapped to the worker's port,
 * through `GET /instances/<id>/`. An instance that does not exist, is not running, or has no mapping of
 * the port is a WorkerUnreachableError that says which, and what to change.
 */
export async function locateVastWorker(api: ProviderApi, address: ProviderAddress): Promise<WorkerEndpoint> {
  const { status, body } = await callProviderApi(api, `/instances/${address.id}/`, { method: 'GET' });
  const instance = (body as { instances?: VastInstance | null } | null)?.instances;
  if (status === 404 || !instance || typeof instance !== 'object') throw new WorkerUnreachableError(`Vast.ai has no instance ${address.id} for this API key`);
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
