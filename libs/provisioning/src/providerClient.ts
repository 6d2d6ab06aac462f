import type { Provider } from '@nt/bridge';
import type { WorkerProfile } from './workerProfile.js';

/** An instance as the provider reports it, in the terms every part of the guard shares. */
export interface ProviderInstance {
  provider: Provider;
  id: string;
  /** The name (RunPod) or label (Vast.ai) it was created with: ours start with INSTANCE_PREFIX. */
  name: string;
  state: 'provisioning' | 'running' | 'stopped' | 'terminated';
  /** USD per hour while running, as the provider bills it. */
  pricePerHour: number | null;
  gpu: string | null;
}

/** What to create: the profile's settings, a name of ours, and the environment the worker starts with. */
export interface CreateRequest {
  name: string;
  profile: WorkerProfile;
  env: Record<string, string>;
}

/** The lifecycle calls of one provider's API, the subset the guard needs. Errors name the provider and the call. */
export interface ProviderClient {
  readonly provider: Provider;
  /** Refuses (PriceCeilingError) when nothing within the profile's filters is at or under its price ceiling. */
  create(request: CreateRequest): Promise<ProviderInstance>;
  /** null when the instance no longer exists. */
  get(id: string): Promise<ProviderInstance | null>;
  stop(id: string): Promise<void>;
  /** `gpuCount`: RunPod resumes a pod with a GPU count (the profile's). */
  start(id: string, gpuCount: number): Promise<void>;
  destroy(id: string): Promise<void>;
  /** Every instance of the account (the reconciler picks ours by name). */
  list(): Promise<ProviderInstance[]>;
}

/** Every instance this project creates is named with this prefix, so a reconciler can tell ours from the rest. */
export const INSTANCE_PREFIX = 'nodetool-';

/** Nothing to rent within the profile's price ceiling; nothing was created. */
export class PriceCeilingError extends Error {}

/** The provider refused or failed a lifecycle call. */
export class ProviderCallError extends Error {}
