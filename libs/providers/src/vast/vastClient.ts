import type { ProviderApi } from '../providerApi.js';
import type { ProviderClient, ProviderInstance, Quote, RentRequest } from '../providerClient.js';
import { PriceCeilingError, ProviderCallError } from '../providerErrors.js';
import { vastGpuName } from './gpuName.js';
import { vastSafeEnv } from './instanceEnv.js';
import { offerSearch, rentedDiskGb, type VastOffer } from './offerSearch.js';
import { vastCall } from './vastApi.js';
import { toInstance, type VastInstance } from './vastInstance.js';
import { getVastInstance } from './vastLocator.js';

/** How many instances one page of the v1 list holds (the `vastai` client asks for 25). */
const PAGE = 25;

/**
 * Vast.ai through its REST API: an offer is searched, then rented. Prices: Vast quotes `dph_total` per
 * instance (every GPU, and the disk we allocate), which is what the profile's ceiling is compared with.
 */
export class VastClient implements ProviderClient {
  readonly provider = 'vast';

  constructor(private readonly api: ProviderApi) {}

  async quote(request: RentRequest): Promise<Quote> {
    const offer = await this.cheapestOffer(request);
    return {
      provider: 'vast',
      gpu: `${request.gpuCount}× ${vastGpuName(request.gpuType)}`,
      pricePerHour: offer.dph_total as number,
      interruptible: request.interruptible === true,
    };
  }

  async create(request: RentRequest): Promise<ProviderInstance> {
    const offer = await this.cheapestOffer(request);
    const created = await vastCall(this.api, 'PUT', `/api/v0/asks/${offer.id}/`, {
      body: {
        client_id: 'me',
        image: request.image,
        label: request.name,
        disk: rentedDiskGb(request),
        // Keeps the image's entrypoint and command: the worker starts at boot.
        runtype: 'args',
        // A direct TCP mapping of the worker's port to a public one, as Docker's -p.
        env: { [`-p ${request.port}:${request.port}`]: '1', ...vastSafeEnv(request.env) },
        // An interruptible instance is a bid for the whole machine: its current minimum (the CLI's --bid_price).
        ...(request.interruptible ? { price: offer.min_bid } : {}),
      },
    });
    const id = (created.body as { new_contract?: number | string } | null)?.new_contract;
    if (id === undefined || id === null) throw new ProviderCallError(`Vast.ai rented nothing for offer ${offer.id} (no new_contract in the answer)`);
    return {
      provider: 'vast',
      id: String(id),
      name: request.name,
      state: 'provisioning',
      pricePerHour: offer.dph_total ?? null,
      gpu: `${request.gpuCount}× ${vastGpuName(request.gpuType)}`,
    };
  }

  /** The cheapest offer now within the request's filters and ceiling, or PriceCeilingError naming them. */
  private async cheapestOffer(request: RentRequest): Promise<VastOffer> {
    const search = await vastCall(this.api, 'POST', '/api/v0/bundles/', { body: offerSearch(request) });
    const offers = ((search.body as { offers?: VastOffer[] } | null)?.offers ?? [])
      .filter((offer) => offer.rented !== true && typeof offer.dph_total === 'number' && offer.dph_total <= request.maxPricePerHour)
      .filter((offer) => !request.interruptible || typeof offer.min_bid === 'number')
      .sort((a, b) => (a.dph_total as number) - (b.dph_total as number));
    const offer = offers[0];
    if (!offer) {
      throw new PriceCeilingError(
        `Vast.ai has no rentable ${request.interruptible ? 'interruptible ' : ''}${request.gpuCount}× ${vastGpuName(request.gpuType)} offer (verified, CUDA ${request.cudaMin}+, a direct port, ${rentedDiskGb(request)} GB of disk) at or under $${request.maxPricePerHour}/h`,
      );
    }
    return offer;
  }

  async get(id: string): Promise<ProviderInstance | null> {
    const instance = await getVastInstance(this.api, id);
    return instance ? toInstance(instance) : null;
  }

  async stop(id: string): Promise<void> {
    await vastCall(this.api, 'PUT', `/api/v0/instances/${encodeURIComponent(id)}/`, { body: { state: 'stopped' } });
  }

  async start(id: string): Promise<void> {
    await vastCall(this.api, 'PUT', `/api/v0/instances/${encodeURIComponent(id)}/`, { body: { state: 'running' } });
  }

  async destroy(id: string): Promise<void> {
    await vastCall(this.api, 'DELETE', `/api/v0/instances/${encodeURIComponent(id)}/`, { body: {} });
  }

  /** Every instance, through the paged v1 list (the v0 one is deprecated), following `next_token`. */
  async list(): Promise<ProviderInstance[]> {
    const rows: VastInstance[] = [];
    const query: Record<string, unknown> = { select_filters: {}, order_by: [{ col: 'id', dir: 'asc' }], limit: PAGE };
    for (let pages = 0; pages < 1_000; pages++) {
      const { body } = await vastCall(this.api, 'GET', '/api/v1/instances/', { query });
      const page = body as { instances?: VastInstance[] | null; next_token?: string | null } | null;
      rows.push(...(page?.instances ?? []));
      if (!page?.next_token) return rows.map(toInstance);
      query['after_token'] = page.next_token;
    }
    throw new ProviderCallError('Vast.ai kept answering with more instances after 1000 pages');
  }
}
