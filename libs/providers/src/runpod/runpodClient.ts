import type { ProviderApi } from '../providerApi.js';
import type { ProviderClient, ProviderInstance, Quote, RentRequest } from '../providerClient.js';
import { PriceCeilingError, ProviderCallError } from '../providerErrors.js';
import { cudaVersionsFrom } from './cudaVersions.js';
import { runpodGraphql } from './runpodGraphql.js';
import {
  DEPLOY_MUTATION,
  GPU_PRICE_QUERY,
  GPU_TYPES_QUERY,
  POD_QUERY,
  PODS_QUERY,
  RENT_INTERRUPTIBLE_MUTATION,
  RESUME_MUTATION,
  STOP_MUTATION,
  TERMINATE_MUTATION,
  type RunpodPod,
} from './runpodQueries.js';

interface GpuType {
  id: string;
  displayName?: string | null;
  lowestPrice?: { uninterruptablePrice?: number | null; minimumBidPrice?: number | null } | null;
}

/**
 * RunPod through its GraphQL API. Prices: RunPod quotes a GPU type per GPU, so a rental of N GPUs is
 * checked at N times that against the profile's ceiling for the whole pod; a pod's own `costPerHr` is
 * the whole pod's.
 */
export class RunpodClient implements ProviderClient {
  readonly provider = 'runpod';

  constructor(private readonly api: ProviderApi) {}

  async quote(request: RentRequest): Promise<Quote> {
    const { gpu, total } = await this.priced(request);
    return { provider: 'runpod', gpu: `${request.gpuCount}× ${gpu.id}`, pricePerHour: total, interruptible: request.interruptible === true };
  }

  async create(request: RentRequest): Promise<ProviderInstance> {
    const { gpu, total, perGpu } = await this.priced(request);
    const input = {
      name: request.name,
      imageName: request.image,
      gpuTypeId: gpu.id,
      gpuCount: request.gpuCount,
      cloudType: 'ALL',
      supportPublicIp: true,
      startSsh: false,
      ports: `${request.port}/tcp`,
      volumeInGb: request.volumeGb,
      volumeMountPath: request.volumeMount,
      containerDiskInGb: request.containerDiskGb,
      allowedCudaVersions: cudaVersionsFrom(request.cudaMin),
      dockerArgs: '',
      env: Object.entries(request.env).map(([key, value]) => ({ key, value })),
    };
    // The same pod either way; an interruptible one is a bid per GPU, at the minimum RunPod takes now.
    const pod = request.interruptible
      ? (await runpodGraphql<{ podRentInterruptable?: RunpodPod | null }>(this.api, RENT_INTERRUPTIBLE_MUTATION, { input: { ...input, bidPerGpu: perGpu } }))
          .podRentInterruptable
      : (await runpodGraphql<{ podFindAndDeployOnDemand?: RunpodPod | null }>(this.api, DEPLOY_MUTATION, { input })).podFindAndDeployOnDemand;
    if (!pod?.id)
      throw new ProviderCallError(
        `RunPod created no pod (${request.interruptible ? 'podRentInterruptable' : 'podFindAndDeployOnDemand'} answered without an id)`,
      );
    return { ...toInstance(pod), pricePerHour: pod.costPerHr ?? total };
  }

  async get(id: string): Promise<ProviderInstance | null> {
    const { pod } = await runpodGraphql<{ pod?: RunpodPod | null }>(this.api, POD_QUERY, { podId: id }, true);
    return pod ? toInstance(pod) : null;
  }

  async stop(id: string): Promise<void> {
    await runpodGraphql(this.api, STOP_MUTATION, { podId: id });
  }

  /** RunPod resumes a pod with a GPU count: the one it was created with. */
  async start(id: string): Promise<void> {
    const { pod } = await runpodGraphql<{ pod?: RunpodPod | null }>(this.api, POD_QUERY, { podId: id }, true);
    if (!pod) throw new ProviderCallError(`RunPod has no pod ${id} to start`);
    await runpodGraphql(this.api, RESUME_MUTATION, { podId: id, gpuCount: pod.gpuCount ?? 1 });
  }

  async destroy(id: string): Promise<void> {
    await runpodGraphql(this.api, TERMINATE_MUTATION, { podId: id });
  }

  async list(): Promise<ProviderInstance[]> {
    const { myself } = await runpodGraphql<{ myself?: { pods?: RunpodPod[] | null } | null }>(this.api, PODS_QUERY, {});
    return (myself?.pods ?? []).map(toInstance);
  }

  /**
   * The GPU type and the whole pod's price now (on demand, or the lowest bid for an interruptible pod),
   * refused (PriceCeilingError) when none is offered or it is above the ceiling.
   */
  private async priced(request: RentRequest): Promise<{ gpu: GpuType; total: number; perGpu: number }> {
    const gpu = await this.gpuType(request.gpuType, request.gpuCount);
    const perGpu = request.interruptible ? gpu.lowestPrice?.minimumBidPrice : gpu.lowestPrice?.uninterruptablePrice;
    const label = `${request.gpuCount}× ${gpu.id}${request.interruptible ? ' (interruptible)' : ''}`;
    if (perGpu === undefined || perGpu === null) throw new PriceCeilingError(`RunPod offers no ${label} now`);
    const total = perGpu * request.gpuCount;
    if (total > request.maxPricePerHour) {
      const what = request.interruptible ? 'lowest bid' : 'lowest price';
      throw new PriceCeilingError(
        `RunPod's ${what} for ${label} is $${total.toFixed(3)}/h ($${perGpu.toFixed(3)} per GPU), above the profile's ceiling of $${request.maxPricePerHour}/h`,
      );
    }
    return { gpu, total, perGpu };
  }

  /**
   * The GPU type with its price for `count` of them. RunPod names types by id ("NVIDIA GeForce RTX
   * 4090"); a display name ("RTX 4090") is found among all types, and an unknown one is refused naming
   * the nearest ids.
   */
  private async gpuType(wanted: string, count: number): Promise<GpuType> {
    const priced = async (id: string) =>
      (await runpodGraphql<{ gpuTypes?: GpuType[] | null }>(this.api, GPU_PRICE_QUERY, { gpuTypeId: id, gpuCount: count })).gpuTypes?.find(
        (type) => type.id === id,
      );
    const exact = await priced(wanted);
    if (exact) return exact;
    const { gpuTypes } = await runpodGraphql<{ gpuTypes?: GpuType[] | null }>(this.api, GPU_TYPES_QUERY, {});
    const key = (name: string) =>
      name
        .toLowerCase()
        .replace(/[\s_-]+/g, ' ')
        .trim();
    const byName = (gpuTypes ?? []).find((type) => key(type.id) === key(wanted) || (type.displayName && key(type.displayName) === key(wanted)));
    const found = byName ? await priced(byName.id) : undefined;
    if (found) return found;
    const words = key(wanted)
      .split(' ')
      .filter((word) => /\d/.test(word));
    const near = (gpuTypes ?? []).filter((type) => words.some((word) => key(`${type.id} ${type.displayName ?? ''}`).includes(word))).map((type) => type.id);
    throw new ProviderCallError(
      `RunPod has no GPU type ${JSON.stringify(wanted)}${near.length ? ` (its ids that look close: ${near.slice(0, 5).join(', ')})` : ''}: use an id as RunPod lists it, such as "NVIDIA GeForce RTX 4090"`,
    );
  }
}

function toInstance(pod: RunpodPod): ProviderInstance {
  const state =
    pod.desiredStatus === 'TERMINATED'
      ? 'terminated'
      : pod.desiredStatus === 'EXITED'
        ? 'stopped'
        : pod.desiredStatus === 'RUNNING' && pod.runtime
          ? 'running'
          : 'provisioning';
  const gpu = pod.machine?.gpuDisplayName ? `${pod.gpuCount ?? 1}× ${pod.machine.gpuDisplayName}` : null;
  return { provider: 'runpod', id: pod.id, name: pod.name ?? '', state, pricePerHour: pod.costPerHr ?? null, gpu };
}
