import type { ProviderInstance } from '../providerClient.js';

/** An instance row as Vast's API returns it (GET /api/v0/instances/<id>/ and the v1 list), the fields we read. */
export interface VastInstance {
  id: number | string;
  label?: string | null;
  actual_status?: string | null;
  intended_status?: string | null;
  dph_total?: number | null;
  gpu_name?: string | null;
  num_gpus?: number | null;
  public_ipaddr?: string | null;
  ports?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null;
}

/**
 * In our terms. Vast says an instance whose actual status turns `exited`, `offline` or `unknown` will
 * not reach `running` (its API reference, "poll trap"): that counts as stopped.
 */
export function toInstance(instance: VastInstance): ProviderInstance {
  const actual = instance.actual_status ?? '';
  const state =
    actual === 'running'
      ? 'running'
      : ['exited', 'stopped', 'offline', 'unknown'].includes(actual) || instance.intended_status === 'stopped'
        ? 'stopped'
        : 'provisioning';
  return {
    provider: 'vast',
    id: String(instance.id),
    name: instance.label ?? '',
    state,
    pricePerHour: instance.dph_total ?? null,
    gpu: instance.gpu_name ? `${instance.num_gpus ?? 1}× ${instance.gpu_name}` : null,
  };
}
