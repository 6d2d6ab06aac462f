import { callProviderApi, type ProviderApi } from '@nt/bridge';
import { PriceCeilingError, ProviderCallError, type CreateRequest, type ProviderClient, type ProviderInstance } from './providerClient.js';

const POD_FIELDS = 'id name desiredStatus costPerHr machine { gpuDisplayName } runtime { uptimeInSeconds }';

interface RunpodPod {
  id: string;
  name?: string;
  desiredStatus?: string;
  costPerHr?: number | null;
  machine?: { gpuDisplayName?: string | null } | null;
  runtime?: { uptimeInSeconds?: number } | null;
}

/** RunPod through its GraphQL API (the one the worker's address is resolved through as well). */
export class RunpodClient implements ProviderClient {
  readonly provider = 'runpod' as const;

  constructor(private readonly api: ProviderApi) {}

  async create({ name, profile, env }: CreateRequest): Promise<ProviderInstance> {
    // The price first: nothing is created when the cheapest matching GPU is over the ceiling.
    const priced = await this.query<{ gpuTypes?: Array<{ id: string; lowestPrice?: { uninterruptablePrice?: number | null } | null }> }>(
      'query Price($id: String, $count: Int) { gpuTypes(input: { id: $id }) { id lowestPrice(input: { gpuCount: $count }) { uninterruptablePrice } } }',
      { id: profile.gpuType, count: profile.gpuCount },
      'gpuTypes',
    );
    const price = priced.gpuTypes?.[0]?.lowestPrice?.uninterruptablePrice;
    if (price === undefined || price === null) throw new PriceCeilingError(`RunPod offers no ${profile.gpuCount}× ${profile.gpuType} now`);
    if (price > profile.maxPricePerHour) {
      throw new PriceCeilingError(
        `RunPod's lowest price for ${profile.gpuCount}× ${profile.gpuType} is $${price.toFixed(3)}/h, above the profile's ceiling of $${profile.maxPricePerHour}/h`,
      );
    }
    const created = await this.query<{ podFindAndDeployOnDemand?: RunpodPod | null }>(
      `mutation Deploy($input: PodFindAndDeployOnDemandInput) { podFindAndDeployOnDemand(input: $input) { ${POD_FIELDS} } }`,
      {
        input: {
          name,
          imageName: profile.image,
          gpuTypeId: profile.gpuType,
          gpuCount: profile.gpuCount,
          cloudType: 'ALL',
          supportPublicIp: true,
          startSsh: false,
          ports: `${profile.port}/tcp`,
          volumeInGb: profile.volumeGb,
          volumeMountPath: profile.volumeMount,
          containerDiskInGb: profile.containerDiskGb,
          allowedCudaVersions: [profile.cudaMin],
          env: Object.entries(env).map(([key, value]) => ({ key, value })),
        },
      },
      'podFindAndDeployOnDemand',
    );
    const pod = created.podFindAndDeployOnDemand;
    if (!pod?.id) throw new ProviderCallError('RunPod created no pod (podFindAndDeployOnDemand answered without an id)');
    return toInstance(pod);
  }

  async get(id: string): Promise<ProviderInstance | null> {
    const reply = await this.query<{ pod?: RunpodPod | null }>(`query Pod($id: String!) { pod(input: { podId: $id }) { ${POD_FIELDS} } }`, { id }, 'pod', true);
    return reply.pod ? toInstance(reply.pod) : null;
  }

  async stop(id: string): Promise<void> {
    await this.query('mutation Stop($id: String!) { podStop(input: { podId: $id }) { id desiredStatus } }', { id }, 'podStop');
  }

  async start(id: string, gpuCount: number): Promise<void> {
    await this.query(
      'mutation Resume($id: String!, $gpus: Int!) { podResume(input: { podId: $id, gpuCount: $gpus }) { id desiredStatus } }',
      { id, gpus: gpuCount },
      'podResume',
    );
  }

  async destroy(id: string): Promise<void> {
    await this.query('mutation Terminate($id: String!) { podTerminate(input: { podId: $id }) }', { id }, 'podTerminate');
  }

  async list(): Promise<ProviderInstance[]> {
    const reply = await this.query<{ myself?: { pods?: RunpodPod[] } | null }>(`query Pods { myself { pods { ${POD_FIELDS} } } }`, {}, 'myself');
    return (reply.myself?.pods ?? []).map(toInstance);
  }

  /** One GraphQL call; GraphQL errors become ProviderCallError naming the operation (a missing pod is null when `missingIsNull`). */
  private async query<T>(query: string, variables: Record<string, unknown>, operation: string, missingIsNull = false): Promise<T> {
    const { body } = await callProviderApi(this.api, '', { method: 'POST', body: { query, variables } });
    const reply = (body ?? {}) as { data?: T | null; errors?: Array<{ message?: string }> };
    if (reply.errors?.length && !(missingIsNull && reply.data)) {
      throw new ProviderCallError(`RunPod ${operation} failed: ${reply.errors.map((error) => error.message ?? 'an error').join('; ')}`);
    }
    return (reply.data ?? {}) as T;
  }
}

function toInstance(pod: RunpodPod): ProviderInstance {
  const state = pod.desiredStatus === 'TERMINATED' ? 'terminated' : pod.desiredStatus === 'EXITED' ? 'stopped' : pod.runtime ? 'running' : 'provisioning';
  return { provider: 'runpod', id: pod.id, name: pod.name ?? '', state, pricePerHour: pod.costPerHr ?? null, gpu: pod.machine?.gpuDisplayName ?? null };
}
