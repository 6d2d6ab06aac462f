import type { WorkerProfileRecord } from '@nt/api-contract';
import { findProvider, mayHoldProviderKey, providerNames, type Provider, type RentRequest } from '@nt/providers';
import { flag, number, optionalText, text } from './profileFields.js';
import { ProfileError } from './profileError.js';
import { parseScale, scaleToRecord, type ScalePolicy } from './scalePolicy.js';

/** The cost guard of a profile: when a rented worker is stopped without anyone asking. */
export interface CostGuard {
  /** Stop after this long without a run (server or CLI); 0 turns it off. Default 15. */
  idleStopMinutes: number;
  /** Stop this long after it started, whatever happens. Default 8. */
  maxHours: number;
  /** Stop once this instance's spend (USD) reaches this; 0: no ceiling. */
  maxSpend: number;
  /** A run for a stopped worker of this profile starts it again (`restart`) or fails saying so (`fail`). */
  onStoppedRun: 'restart' | 'fail';
}

/** What to rent, and how to guard it. Secrets are named (an environment variable or a file), never held. */
export interface WorkerProfile {
  name: string;
  /** A provider of the registry (`runpod`, `vast`). */
  provider: string;
  /** As the provider names it: RunPod a GPU type id ("NVIDIA GeForce RTX 4090"); Vast.ai a gpu_name ("RTX 4090", or "RTX_4090" as its CLI writes it). */
  gpuType: string;
  gpuCount: number;
  /** `nodetool-hf:<tag>` on a registry the host can pull from, or a full reference. */
  image: string;
  volumeGb: number;
  /** Where the volume is mounted: RunPod /workspace, Vast.ai /data by default; HF_HOME goes under it. */
  volumeMount: string;
  containerDiskGb: number;
  /** Lowest CUDA version the host's driver must support (the GPU image needs 13.0). */
  cudaMin: string;
  /** The ceiling for the whole instance's hourly price (USD), every GPU included: offers, pods and the rented instance's own price above it are refused. */
  maxPricePerHour: number;
  /** The environment variable holding the provider key: the provider's own (RUNPOD_API_KEY, VAST_API_KEY) by default, or a NODETOOL_*_API_KEY. */
  apiKeyEnv: string;
  /** The worker's port inside the instance. */
  port: number;
  /**
   * Serve wss:// with a certificate the server makes for the instance and pins. Always true for a new
   * profile; an older stored profile may say false, and renting from it is refused (rentableProblem).
   */
  tls: boolean;
  /** Live instances (not destroyed) this profile may have at once; default 2. */
  maxInstances: number;
  guard: CostGuard;
  /** Profiles that serve the same runs share a group (a run or a workflow may name it); default: the profile's own name. */
  group: string;
  /** Node namespaces its workers offer (`huggingface`): which runs it can serve before any worker of it ever connected. */
  namespaces: string[];
  /** Workers started for waiting runs and released when idle; absent: renting only by hand, as before. */
  scale: ScalePolicy | null;
  /** Interruptible capacity (a bid at the provider's minimum, within max_price_per_hour): cheaper, and taken back at any time. */
  interruptible: boolean;
}

export { ProfileError };

const KNOWN = new Set([
  'name',
  'provider',
  'gpu_type',
  'gpu_count',
  'image',
  'volume_gb',
  'volume_mount',
  'container_disk_gb',
  'cuda_min',
  'max_price_per_hour',
  'api_key_env',
  'port',
  'tls',
  'max_instances',
  'guard',
  'group',
  'namespaces',
  'scale',
  'interruptible',
]);
const GUARD_KNOWN = new Set(['idle_stop_minutes', 'max_hours', 'max_spend', 'on_stopped_run']);

/**
 * A profile from its stored or written form (snake_case keys, as in a YAML file or the API). Every
 * mistake is a ProfileError naming the field; a field that looks like a secret value is refused. A new
 * profile must be rentable as written (TLS on, a key variable the provider may be sent); a `stored` one
 * loads as it was saved, and renting from it checks again (rentableProblem).
 */
export function parseProfile(input: unknown, options: { stored?: boolean } = {}): WorkerProfile {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new ProfileError('profile', 'a profile must be an object');
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!KNOWN.has(key)) {
      const hint = /key|token|secret|password/i.test(key) ? ' (secrets are never stored: name their environment variable in api_key_env)' : '';
      throw new ProfileError(key, `unknown profile field "${key}"${hint}; known: ${[...KNOWN].join(', ')}`);
    }
  }
  const name = text(raw, 'name');
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(name))
    throw new ProfileError('name', `"name" must be 1-40 lowercase letters, digits or -, starting with a letter or digit, got ${JSON.stringify(name)}`);
  const providerName = text(raw, 'provider');
  const provider = findProvider(providerName);
  if (!provider) throw new ProfileError('provider', `"provider" must be ${providerNames().join(' or ')}, got ${JSON.stringify(providerName)}`);
  const image = text(raw, 'image');
  if (!/^[a-z0-9][a-z0-9._/:@-]*$/i.test(image) || !image.includes(':')) {
    throw new ProfileError(
      'image',
      `"image" must be an image reference with a tag or digest (ghcr.io/acme/nodetool-hf:hf0.8.2-…), got ${JSON.stringify(image)}`,
    );
  }
  const volumeMount = optionalText(raw, 'volume_mount') ?? provider.defaultVolumeMount;
  if (!volumeMount.startsWith('/')) throw new ProfileError('volume_mount', `"volume_mount" must be an absolute path, got ${JSON.stringify(volumeMount)}`);
  const apiKeyEnv = optionalText(raw, 'api_key_env') ?? provider.keyVariable;
  if (!/^[A-Z_][A-Z0-9_]*$/.test(apiKeyEnv))
    throw new ProfileError('api_key_env', `"api_key_env" must name an environment variable (${provider.keyVariable}), not hold a key`);
  const cudaMin = optionalText(raw, 'cuda_min') ?? '13.0';
  if (!/^\d+\.\d+$/.test(cudaMin)) throw new ProfileError('cuda_min', `"cuda_min" must be a CUDA version such as 13.0, got ${JSON.stringify(cudaMin)}`);
  const guard = (raw['guard'] ?? {}) as Record<string, unknown>;
  if (guard === null || typeof guard !== 'object' || Array.isArray(guard)) throw new ProfileError('guard', '"guard" must be an object');
  for (const key of Object.keys(guard))
    if (!GUARD_KNOWN.has(key)) throw new ProfileError(`guard.${key}`, `unknown guard field "${key}"; known: ${[...GUARD_KNOWN].join(', ')}`);
  const onStoppedRun = (guard['on_stopped_run'] ?? 'restart') as CostGuard['onStoppedRun'];
  if (onStoppedRun !== 'restart' && onStoppedRun !== 'fail') throw new ProfileError('guard.on_stopped_run', `"guard.on_stopped_run" must be restart or fail`);
  const profile: WorkerProfile = {
    name,
    provider: provider.name,
    gpuType: text(raw, 'gpu_type'),
    gpuCount: number(raw, 'gpu_count', 1, { min: 1, integer: true }),
    image,
    volumeGb: number(raw, 'volume_gb', 100, { min: 0, integer: true }),
    volumeMount,
    containerDiskGb: number(raw, 'container_disk_gb', 30, { min: 10, integer: true }),
    cudaMin,
    maxPricePerHour: number(raw, 'max_price_per_hour', undefined, { min: 0.01 }),
    apiKeyEnv,
    port: number(raw, 'port', 7777, { min: 1, max: 65535, integer: true }),
    tls: flag(raw, 'tls', true),
    maxInstances: number(raw, 'max_instances', 2, { min: 1, max: 100, integer: true }),
    guard: {
      idleStopMinutes: number(guard, 'idle_stop_minutes', 15, { min: 0 }, 'guard.'),
      maxHours: number(guard, 'max_hours', 8, { min: 0.0001 }, 'guard.'),
      maxSpend: number(guard, 'max_spend', 0, { min: 0 }, 'guard.'),
      onStoppedRun,
    },
    group: optionalText(raw, 'group') ?? name,
    namespaces: namespacesOf(raw['namespaces']),
    scale: null,
    interruptible: flag(raw, 'interruptible', false),
  };
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(profile.group))
    throw new ProfileError('group', `"group" must be 1-40 lowercase letters, digits or -, got ${JSON.stringify(profile.group)}`);
  profile.scale = raw['scale'] === undefined || raw['scale'] === null ? null : parseScale(raw['scale'], profile.maxInstances);
  // A provider may take such an instance back at any moment; resuming one is a new bid. So the scaler rents
  // it, a reclaimed one is replaced, and an idle one is destroyed, never kept stopped.
  if (profile.interruptible && profile.scale?.release !== 'destroy')
    throw new ProfileError(
      'interruptible',
      `"interruptible": true needs "scale" with "release": "destroy": interruptible instances are rented by the scaler and replaced when the provider takes them back, never stopped and resumed`,
    );
  if (!options.stored) {
    const problem = rentableProblem(profile);
    if (problem) throw problem;
  }
  return profile;
}

/**
 * Why nothing may be rented from a profile, or null: a rented worker always serves TLS (its token and
 * every frame cross the internet), and the provider key comes from a variable that may hold it, never
 * from a token of this system or another secret.
 */
export function rentableProblem(profile: WorkerProfile): ProfileError | null {
  const provider = findProvider(profile.provider) as Provider;
  if (!profile.tls) {
    return new ProfileError(
      'tls',
      `"tls": false is not allowed: a rented worker is reached across the internet, so it always serves wss:// with a certificate the server pins; set "tls": true (or remove the field)`,
    );
  }
  if (!mayHoldProviderKey(provider, profile.apiKeyEnv)) {
    return new ProfileError(
      'api_key_env',
      `"api_key_env" must be ${provider.keyVariable} or a NODETOOL_<NAME>_API_KEY variable, got ${profile.apiKeyEnv}: the server sends its value to ${provider.displayName} with every call`,
    );
  }
  return null;
}

/** What a profile rents, in the providers' terms: the instance's name and environment are the caller's. */
export function rentRequestOf(profile: WorkerProfile, name: string, env: Record<string, string>): RentRequest {
  return {
    name,
    image: profile.image,
    gpuType: profile.gpuType,
    gpuCount: profile.gpuCount,
    containerDiskGb: profile.containerDiskGb,
    volumeGb: profile.volumeGb,
    volumeMount: profile.volumeMount,
    cudaMin: profile.cudaMin,
    maxPricePerHour: profile.maxPricePerHour,
    port: profile.port,
    env,
    ...(profile.interruptible ? { interruptible: true } : {}),
  };
}

/** The stored and written form (snake_case), the inverse of parseProfile. */
export function profileToRecord(profile: WorkerProfile): WorkerProfileRecord {
  return {
    name: profile.name,
    provider: profile.provider,
    gpu_type: profile.gpuType,
    gpu_count: profile.gpuCount,
    image: profile.image,
    volume_gb: profile.volumeGb,
    volume_mount: profile.volumeMount,
    container_disk_gb: profile.containerDiskGb,
    cuda_min: profile.cudaMin,
    max_price_per_hour: profile.maxPricePerHour,
    api_key_env: profile.apiKeyEnv,
    port: profile.port,
    tls: profile.tls,
    max_instances: profile.maxInstances,
    guard: {
      idle_stop_minutes: profile.guard.idleStopMinutes,
      max_hours: profile.guard.maxHours,
      max_spend: profile.guard.maxSpend,
      on_stopped_run: profile.guard.onStoppedRun,
    },
    group: profile.group,
    namespaces: profile.namespaces,
    ...(profile.scale ? { scale: scaleToRecord(profile.scale) } : {}),
    interruptible: profile.interruptible,
  };
}

function namespacesOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string' || !/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/i.test(entry)))
    throw new ProfileError('namespaces', `"namespaces" must be a list of node namespaces such as ["huggingface"], got ${JSON.stringify(value)}`);
  return [...new Set(value as string[])];
}
