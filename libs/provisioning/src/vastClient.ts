import { callProviderApi, type ProviderApi } from '@nt/bridge';
import { PriceCeilingError, ProviderCallError, type CreateRequest, type ProviderClient, type ProviderInstance } from './providerClient.js';

interface VastInstance {
  id: number | string;
  label?: string | null;
  actual_status?: string | null;
  intended_status?: string | null;
  dph_total?: number | null;
  gpu_name?: string | null;
  num_gpus?: number | null;
}

/** Vast.ai through its REST API (`/api/v0`): offers are searched, then one is rented. */
export class VastClient implements ProviderClient {
  readonly provider = 'vast' as const;

  constructor(private readonly api: ProviderApi) {}

  async create({ name, profile, env }: CreateRequest): Promise<ProviderInstance> {
    const search = await this.call('POST', '/bundles/', {
      gpu_name: { eq: profile.gpuType },
      num_gpus: { eq: profile.gpuCount },
      cuda_max_good: { gte: Number(profile.cudaMin) },
      direct_port_count: { gte: 1 },
      rentable: { eq: true },
      dph_total: { lte: profile.maxPricePerHour },
      type: 'on-demand',
      order: [['dph_total', 'asc']],
      limit: 5,
    });
    const offers = ((search.body as { offers?: Array<{ id: number; dph_total?: number }> } | null)?.offers ?? []).filter(
      (offer) => typeof offer.dph_total === 'number' && offer.dph_total <= profile.maxPricePerHour,
    );
    const offer = offers[0];
    if (!offer)
      throw new PriceCeilingError(
        `Vast.ai has no rentable ${profile.gpuCount}× ${profile.gpuType} offer (CUDA ${profile.cudaMin}+, a direct port) at or under $${profile.maxPricePerHour}/h`,
      );
    const created = await this.call('PUT', `/asks/${offer.id}/`, {
      client_id: 'me',
      image: profile.image,
      label: name,
      // No volume is created here: the model cache lives on the instance disk (wiped on destroy).
      disk: profile.containerDiskGb + profile.volumeGb,
      runtype: 'args',
      env: { [`-p ${profile.port}:${profile.port}`]: '1', ...env },
    });
    const id = (created.body as { new_contract?: number | string } | null)?.new_contract;
    if (id === undefined || id === null) throw new ProviderCallError(`Vast.ai rented nothing for offer ${offer.id} (no new_contract in the answer)`);
    return { provider: 'vast', id: String(id), name, state: 'provisioning', pricePerHour: offer.dph_total ?? null, gpu: profile.gpuType };
  }

  async get(id: string): Promise<ProviderInstance | null> {
    const { status, body } = await this.call('GET', `/instances/${encodeURIComponent(id)}/`);
    const instance = (body as { instances?: VastInstance | null } | null)?.instances;
    return status === 404 || !instance ? null : toInstance(instance);
  }

  async stop(id: string): Promise<void> {
    await this.call('PUT', `/instances/${encodeURIComponent(id)}/`, { state: 'stopped' });
  }

  async start(id: string, _gpuCount: number): Promise<void> {
    await this.call('PUT', `/instances/${encodeURIComponent(id)}/`, { state: 'running' });
  }

  async destroy(id: string): Promise<void> {
    await this.call('DELETE', `/instances/${encodeURIComponent(id)}/`);
  }

  async list(): Promise<ProviderInstance[]> {
    const { body } = await this.call('GET', '/instances/');
    return ((body as { instances?: VastInstance[] } | null)?.instances ?? []).map(toInstance);
  }

  private async call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const reply = await callProviderApi(this.api, path, { method, body });
    const refused = (reply.body as { success?: boolean; error?: string; msg?: string } | null) ?? null;
    if (refused && refused.success === false && reply.status !== 404)
      throw new ProviderCallError(`Vast.ai ${method} ${path.split('/')[1]} failed: ${refused.msg ?? refused.error ?? 'refused'}`);
    return reply;
  }
}

function toInstance(instance: VastInstance): ProviderInstance {
  const actual = instance.actual_status ?? '';
  const state =
    actual === 'running' ? 'running' : actual === 'exited' || actual === 'stopped' || instance.intended_status === 'stopped' ? 'stopped' : 'provisioning';
  return {
    provider: 'vast',
    id: String(instance.id),
    name: instance.label ?? '',
    state,
    pricePerHour: instance.dph_total ?? null,
    gpu: instance.gpu_name ? `${instance.num_gpus ?? 1}× ${instance.gpu_name}` : null,
  };
}
