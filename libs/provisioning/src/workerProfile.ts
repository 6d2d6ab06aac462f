import type { Provider } from '@nt/bridge';

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
  provider: Provider;
  /** RunPod: a GPU type id ("NVIDIA GeForce RTX 4090"); Vast.ai: a gpu_name ("RTX_4090"). */
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
  /** Refuse offers or pods above this hourly price (USD). */
  maxPricePerHour: number;
  /** The environment variable holding the provider key (default RUNPOD_API_KEY / VAST_API_KEY). */
  apiKeyEnv: string;
  /** The worker's port inside the instance. */
  port: number;
  /** Serve wss:// with a certificate the server makes for the instance and pins (default true). */
  tls: boolean;
  guard: CostGuard;
}

export class ProfileError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_MOUNT: Record<Provider, string> = { runpod: '/workspace', vast: '/data' };
const DEFAULT_KEY_ENV: Record<Provider, string> = { runpod: 'RUNPOD_API_KEY', vast: 'VAST_API_KEY' };
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
  'guard',
]);
const GUARD_KNOWN = new Set(['idle_stop_minutes', 'max_hours', 'max_spend', 'on_stopped_run']);

/**
 * A profile from its stored or written form (snake_case keys, as in a YAML file or the API). Every
 * mistake is a ProfileError naming the field; a field that looks like a secret value is refused.
 */
export function parseProfile(input: unknown): WorkerProfile {
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
  const provider = text(raw, 'provider') as Provider;
  if (provider !== 'runpod' && provider !== 'vast') throw new ProfileError('provider', `"provider" must be runpod or vast, got ${JSON.stringify(provider)}`);
  const image = text(raw, 'image');
  if (!/^[a-z0-9][a-z0-9._/:@-]*$/i.test(image) || !image.includes(':')) {
    throw new ProfileError(
      'image',
      `"image" must be an image reference with a tag or digest (ghcr.io/acme/nodetool-hf:hf0.8.2-…), got ${JSON.stringify(image)}`,
    );
  }
  const volumeMount = optionalText(raw, 'volume_mount') ?? DEFAULT_MOUNT[provider];
  if (!volumeMount.startsWith('/')) throw new ProfileError('volume_mount', `"volume_mount" must be an absolute path, got ${JSON.stringify(volumeMount)}`);
  const apiKeyEnv = optionalText(raw, 'api_key_env') ?? DEFAULT_KEY_ENV[provider];
  if (!/^[A-Z_][A-Z0-9_]*$/.test(apiKeyEnv))
    throw new ProfileError('api_key_env', `"api_key_env" must name an environment variable (RUNPOD_API_KEY), not hold a key`);
  const cudaMin = optionalText(raw, 'cuda_min') ?? '13.0';
  if (!/^\d+\.\d+$/.test(cudaMin)) throw new ProfileError('cuda_min', `"cuda_min" must be a CUDA version such as 13.0, got ${JSON.stringify(cudaMin)}`);
  const guard = (raw['guard'] ?? {}) as Record<string, unknown>;
  if (guard === null || typeof guard !== 'object' || Array.isArray(guard)) throw new ProfileError('guard', '"guard" must be an object');
  for (const key of Object.keys(guard))
    if (!GUARD_KNOWN.has(key)) throw new ProfileError(`guard.${key}`, `unknown guard field "${key}"; known: ${[...GUARD_KNOWN].join(', ')}`);
  const onStoppedRun = (guard['on_stopped_run'] ?? 'restart') as CostGuard['onStoppedRun'];
  if (onStoppedRun !== 'restart' && onStoppedRun !== 'fail') throw new ProfileError('guard.on_stopped_run', `"guard.on_stopped_run" must be restart or fail`);
  return {
    name,
    provider,
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
    guard: {
      idleStopMinutes: number(guard, 'idle_stop_minutes', 15, { min: 0 }, 'guard.'),
      maxHours: number(guard, 'max_hours', 8, { min: 0.0001 }, 'guard.'),
      maxSpend: number(guard, 'max_spend', 0, { min: 0 }, 'guard.'),
      onStoppedRun,
    },
  };
}

/** The stored and written form (snake_case), the inverse of parseProfile. */
export function profileToRecord(profile: WorkerProfile): Record<string, unknown> {
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
    guard: {
      idle_stop_minutes: profile.guard.idleStopMinutes,
      max_hours: profile.guard.maxHours,
      max_spend: profile.guard.maxSpend,
      on_stopped_run: profile.guard.onStoppedRun,
    },
  };
}

function text(raw: Record<string, unknown>, key: string): string {
  const value = raw[key];
  if (typeof value !== 'string' || !value.trim()) throw new ProfileError(key, `"${key}" is required (a non-empty string)`);
  return value.trim();
}

function flag(raw: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = raw[key] ?? fallback;
  if (typeof value !== 'boolean') throw new ProfileError(key, `"${key}" must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function optionalText(raw: Record<string, unknown>, key: string): string | undefined {
  return raw[key] === undefined ? undefined : text(raw, key);
}

function number(
  raw: Record<string, unknown>,
  key: string,
  fallback: number | undefined,
  limits: { min: number; max?: number; integer?: boolean },
  prefix = '',
): number {
  const value = raw[key] ?? fallback;
  const name = `${prefix}${key}`;
  if (value === undefined) throw new ProfileError(name, `"${name}" is required (a number)`);
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < limits.min ||
    (limits.max !== undefined && value > limits.max) ||
    (limits.integer && !Number.isInteger(value))
  ) {
    throw new ProfileError(
      name,
      `"${name}" must be ${limits.integer ? 'a whole number' : 'a number'} of at least ${limits.min}${limits.max !== undefined ? ` and at most ${limits.max}` : ''}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
