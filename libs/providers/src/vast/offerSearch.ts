import type { RentRequest } from '../providerClient.js';
import { vastGpuName } from './gpuName.js';

/** An offer as POST /api/v0/bundles/ returns it, the fields we read. */
export interface VastOffer {
  id: number;
  dph_total?: number | null;
  /** The lowest bid the machine takes now for an interruptible instance, USD per hour. */
  min_bid?: number | null;
  rented?: boolean | null;
  num_gpus?: number | null;
  gpu_name?: string | null;
}

/**
 * The body of the offer search (POST /api/v0/bundles/) for a rental: the `vastai` client's default
 * filters (verified, not external, rentable, not rented), the GPU as Vast spells it, the count, a
 * driver that supports the CUDA floor, a direct port for the worker's TCP mapping, the price ceiling,
 * and `allocated_storage` set to the disk we rent, since Vast prices `dph_total` with it. Cheapest first;
 * interruptible capacity searches the bid offers.
 */
export function offerSearch(request: RentRequest): Record<string, unknown> {
  return {
    verified: { eq: true },
    external: { eq: false },
    rentable: { eq: true },
    // Vast's schema says the server drops this one; the vastai CLI applies it to the answer, and so do we.
    rented: { eq: false },
    gpu_name: { eq: vastGpuName(request.gpuType) },
    num_gpus: { eq: request.gpuCount },
    cuda_max_good: { gte: Number(request.cudaMin) },
    direct_port_count: { gte: 1 },
    dph_total: { lte: request.maxPricePerHour },
    allocated_storage: rentedDiskGb(request),
    // `bid`: interruptible offers, priced at their current minimum bid (the vastai CLI's --type=bid, -i).
    type: request.interruptible ? 'bid' : 'on-demand',
    order: [['dph_total', 'asc']],
    limit: 10,
  };
}

/**
 * The disk of a Vast rental: the container's plus the profile's volume, in one local disk (`disk` of
 * create instance), where the image's entrypoint makes the volume's mount point. A Vast volume proper
 * (`volume_info`) is a contract of its own that outlives the instance and bills until deleted
 * separately, which the cost guard does not manage; the instance's own disk goes when it is destroyed.
 */
export function rentedDiskGb(request: Pick<RentRequest, 'containerDiskGb' | 'volumeGb'>): number {
  return request.containerDiskGb + request.volumeGb;
}
