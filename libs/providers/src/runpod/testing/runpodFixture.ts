import { buildSchema, graphql, GraphQLError, type GraphQLSchema } from 'graphql';
import { RUNPOD_CUDA_VERSIONS } from '../cudaVersions.js';
import type { BootLifecycle, FixtureCall } from '../../testing/bootLifecycle.js';
import { RUNPOD_SCHEMA_SDL } from './runpodSchema.js';

/** A pod as the fixture keeps it. */
export interface FixturePod {
  desiredStatus: 'RUNNING' | 'EXITED' | 'TERMINATED' | string;
  /** null while the pod starts (RunPod gives no runtime yet). */
  ports: Array<{ ip: string; isIpPublic: boolean; privatePort: number; publicPort: number; type: 'tcp' | 'http' }> | null;
  name?: string;
  imageName?: string;
  /** The whole pod, per hour. */
  costPerHr?: number;
  gpuCount?: number;
  gpuTypeId?: string;
  gpuDisplayName?: string;
  env?: Record<string, string>;
  /** What the pod was created with, for tests to check (`ports` as given, `supportPublicIp`, CUDA, volume). */
  created?: Record<string, unknown>;
  /** Rented with podRentInterruptable: RunPod may take it back (reclaim). */
  interruptible?: boolean;
}

/** A GPU type the fixture rents: its price per GPU and the CUDA versions of the hosts that have it. */
export interface FixtureGpuType {
  displayName?: string;
  /** On-demand price per GPU per hour; undefined: none available now. */
  price?: number;
  /** What a pod of it then bills per GPU, when the price moved between the quote and the rental; default `price`. */
  billedPrice?: number;
  /** The lowest bid per GPU an interruptible pod of it takes now (lowestPrice.minimumBidPrice); undefined: none to bid on. */
  minimumBid?: number;
  /** The CUDA versions its free hosts report; a pod lands only where one is allowed. Default: 13.0. */
  hostCudaVersions?: string[];
}

let schema: GraphQLSchema | null = null;

/**
 * TEST FIXTURE: RunPod's GraphQL API for the operations we and the official client use. Every request
 * is parsed, validated and executed by graphql-js against RUNPOD_SCHEMA_SDL; the resolvers model what
 * RunPod does: a pod lands only on a host whose CUDA version `allowedCudaVersions` lists, boots after a
 * delay, and gets a public TCP mapping of its worker port only when it was created with "<port>/tcp"
 * and `supportPublicIp: true` (with "<port>/http" it gets RunPod's HTTP proxy only). Prices: per GPU
 * for a GPU type, for the whole pod in `costPerHr`.
 */
export function runpodFixture(lifecycle: BootLifecycle, gpuTypes: Record<string, FixtureGpuType>, calls: FixtureCall[]) {
  schema ??= buildSchema(RUNPOD_SCHEMA_SDL);
  const pods = new Map<string, FixturePod>();
  let nextId = 1;

  const record = (operation: string, args: Record<string, unknown>) => calls.push({ provider: 'runpod', operation, args: JSON.parse(JSON.stringify(args)) });
  const view = (id: string, pod: FixturePod) => ({
    id,
    name: pod.name ?? '',
    imageName: pod.imageName ?? '',
    desiredStatus: pod.desiredStatus,
    costPerHr: pod.costPerHr ?? 0,
    gpuCount: pod.gpuCount ?? 1,
    memoryInGb: 31,
    vcpuCount: 8,
    machineId: `machine-${id}`,
    containerDiskInGb: (pod.created?.['containerDiskInGb'] as number | undefined) ?? 10,
    volumeInGb: (pod.created?.['volumeInGb'] as number | undefined) ?? 0,
    volumeMountPath: (pod.created?.['volumeMountPath'] as string | undefined) ?? '/workspace',
    dockerArgs: '',
    dockerId: null,
    env: Object.entries(pod.env ?? {}).map(([key, value]) => `${key}=${value}`),
    lastStatusChange: null,
    podType: pod.interruptible ? 'INTERRUPTABLE' : 'RESERVED',
    port: null,
    ports: (pod.created?.['ports'] as string | undefined) ?? null,
    uptimeSeconds: pod.ports ? 1 : 0,
    runtime: pod.ports ? { uptimeInSeconds: 1, ports: pod.ports } : null,
    machine: {
      gpuDisplayName: pod.gpuDisplayName ?? pod.gpuTypeId ?? null,
      gpuTypeId: pod.gpuTypeId ?? null,
      podHostId: `${id}-host`,
      secureCloud: true,
      supportPublicIp: true,
    },
  });
  const podOf = (id: string) => {
    const pod = pods.get(id);
    if (!pod) throw new GraphQLError('pod not found');
    return pod;
  };
  const boot = (id: string) =>
    lifecycle.boot({ provider: 'runpod', id, env: pods.get(id)?.env ?? {}, image: pods.get(id)?.imageName ?? '' }, (at) => {
      const pod = pods.get(id);
      if (!pod || pod.desiredStatus !== 'RUNNING') return;
      if (at === 'crash') {
        pod.desiredStatus = 'EXITED';
        return;
      }
      pod.ports = exposedPorts(pod.created ?? {}, at);
    });
  const halt = (id: string, pod: FixturePod) => lifecycle.halt({ provider: 'runpod', id, env: pod.env ?? {}, image: pod.imageName ?? '' });

  const rootValue = {
    pod: ({ input }: { input: { podId: string } }) => {
      record('pod', { input });
      return view(input.podId, podOf(input.podId));
    },
    myself: () => {
      record('myself', {});
      return { id: 'fixture-user', pods: [...pods].map(([id, pod]) => view(id, pod)) };
    },
    gpuTypes: (args: { input?: { id?: string | null; ids?: Array<string | null> | null } | null }) => {
      record('gpuTypes', args);
      const wanted = args.input?.id ? [args.input.id] : (args.input?.ids?.filter((id): id is string => Boolean(id)) ?? Object.keys(gpuTypes));
      return wanted
        .filter((id) => gpuTypes[id])
        .map((id) => {
          const type = gpuTypes[id] as FixtureGpuType;
          return {
            id,
            displayName: type.displayName ?? id,
            manufacturer: 'Nvidia',
            memoryInGb: 24,
            maxGpuCount: 8,
            securePrice: type.price ?? null,
            communityPrice: type.price ?? null,
            lowestPrice: (priced: { input?: { gpuCount?: number | null } | null }) => {
              record('lowestPrice', { gpuTypeId: id, ...priced });
              return {
                gpuName: type.displayName ?? id,
                gpuTypeId: id,
                uninterruptablePrice: type.price ?? null,
                minimumBidPrice: type.minimumBid ?? null,
                stockStatus: type.price ? 'High' : null,
              };
            },
          };
        });
    },
    podFindAndDeployOnDemand: ({ input }: { input: Record<string, unknown> }) => {
      record('podFindAndDeployOnDemand', { input });
      const { type, gpuTypeId } = placeable(input);
      if (type.price === undefined) throw new GraphQLError(NO_INSTANCES);
      return deploy(input, gpuTypeId, type, type.billedPrice ?? type.price, false);
    },
    podRentInterruptable: ({ input }: { input: Record<string, unknown> }) => {
      record('podRentInterruptable', { input });
      const { type, gpuTypeId } = placeable(input);
      const bid = input['bidPerGpu'] as number;
      if (type.minimumBid === undefined) throw new GraphQLError(NO_INSTANCES);
      if (bid < type.minimumBid) throw new GraphQLError(`Your bid of $${bid}/hr per GPU is below the current minimum bid of $${type.minimumBid}/hr`);
      return deploy(input, gpuTypeId, type, bid, true);
    },
    podStop: ({ input }: { input: { podId: string } }) => {
      record('podStop', { input });
      const pod = podOf(input.podId);
      pod.desiredStatus = 'EXITED';
      pod.ports = null;
      halt(input.podId, pod);
      return view(input.podId, pod);
    },
    podResume: ({ input }: { input: { podId: string; gpuCount: number } }) => {
      record('podResume', { input });
      const pod = podOf(input.podId);
      if (input.gpuCount !== pod.gpuCount) throw new GraphQLError(`This pod has ${pod.gpuCount} GPU(s); resume it with the same count, not ${input.gpuCount}`);
      pod.desiredStatus = 'RUNNING';
      boot(input.podId);
      return view(input.podId, pod);
    },
    podTerminate: ({ input }: { input: { podId: string } }) => {
      record('podTerminate', { input });
      const pod = podOf(input.podId);
      pods.delete(input.podId);
      halt(input.podId, pod);
      return null;
    },
  };

  /** The GPU type a deploy asks for, on a host whose CUDA version it allows; a GraphQLError as RunPod words it otherwise. */
  function placeable(input: Record<string, unknown>): { type: FixtureGpuType; gpuTypeId: string } {
    const gpuTypeId = String(input['gpuTypeId'] ?? '');
    const type = gpuTypes[gpuTypeId];
    if (!type) throw new GraphQLError(`There is no GPU type ${JSON.stringify(gpuTypeId)}`);
    const allowed = (input['allowedCudaVersions'] as string[] | null | undefined) ?? null;
    for (const version of allowed ?? [])
      if (!(RUNPOD_CUDA_VERSIONS as readonly string[]).includes(version)) throw new GraphQLError(`Invalid CUDA version ${version}`);
    const hosts = type.hostCudaVersions ?? ['13.0'];
    if (allowed && !hosts.some((version) => allowed.includes(version))) throw new GraphQLError(NO_INSTANCES);
    return { type, gpuTypeId };
  }

  function deploy(input: Record<string, unknown>, gpuTypeId: string, type: FixtureGpuType, perGpu: number, interruptible: boolean) {
    const id = `fixpod${String(nextId++).padStart(4, '0')}`;
    const gpuCount = (input['gpuCount'] as number | null | undefined) ?? 1;
    pods.set(id, {
      desiredStatus: 'RUNNING',
      ports: null,
      name: String(input['name'] ?? ''),
      imageName: String(input['imageName'] ?? ''),
      costPerHr: Math.round(perGpu * gpuCount * 1000) / 1000,
      gpuCount,
      gpuTypeId,
      gpuDisplayName: type.displayName ?? gpuTypeId,
      env: Object.fromEntries(((input['env'] as Array<{ key: string; value: string | null }> | null) ?? []).map(({ key, value }) => [key, value ?? ''])),
      created: input,
      interruptible,
    });
    boot(id);
    return view(id, pods.get(id) as FixturePod);
  }

  return {
    pods,
    /** RunPod takes an interruptible pod back (a higher bid, the host needed): it stops, its worker with it. */
    reclaim(id: string): void {
      const pod = podOf(id);
      if (!pod.interruptible) throw new Error(`fixture: ${id} is not interruptible, RunPod would not reclaim it`);
      pod.desiredStatus = 'EXITED';
      pod.ports = null;
      halt(id, pod);
    },
    /** One HTTP request to the GraphQL endpoint: 400 for a request that does not parse or validate, as RunPod's server answers. */
    async handle(body: unknown): Promise<{ status: number; body: unknown }> {
      const request = (body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
      if (typeof request.query !== 'string') return { status: 400, body: { errors: [{ message: 'Must provide query string.' }] } };
      const result = await graphql({
        schema: schema as GraphQLSchema,
        source: request.query,
        rootValue,
        variableValues: (request.variables ?? undefined) as Record<string, unknown> | undefined,
        operationName: typeof request.operationName === 'string' ? request.operationName : undefined,
      });
      // Parse, validation and variable errors come without data: the request itself was wrong.
      const rejected = result.errors?.length && !('data' in result && result.data);
      return { status: rejected ? 400 : 200, body: JSON.parse(JSON.stringify(result)) };
    },
  };
}

const NO_INSTANCES = 'There are no longer any instances available with the requested specifications. Please refresh and try again.';

/** The ports of a booted pod: what it was created with decides whether the worker is reachable. */
function exposedPorts(created: Record<string, unknown>, at: { host: string; port: number; privatePort: number }): NonNullable<FixturePod['ports']> {
  const asked = String(created['ports'] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const ports: NonNullable<FixturePod['ports']> = [];
  for (const entry of asked) {
    const [port, type] = entry.split('/');
    if (Number(port) !== at.privatePort) continue;
    if (type === 'tcp') {
      const publicIp = created['supportPublicIp'] === true;
      ports.push({
        ip: publicIp ? at.host : '100.65.0.2',
        isIpPublic: publicIp,
        privatePort: at.privatePort,
        publicPort: publicIp ? at.port : at.privatePort,
        type: 'tcp',
      });
    } else if (type === 'http') {
      ports.push({ ip: '100.65.0.2', isIpPublic: false, privatePort: at.privatePort, publicPort: at.privatePort, type: 'http' });
    }
  }
  return ports;
}
