/** An instance as the provider reports it, in the terms every part of the cost guard shares. */
export interface ProviderInstance {
  /** The provider's name (the registry's key). */
  provider: string;
  id: string;
  /** The name (RunPod) or label (Vast.ai) it was created with: ours start with INSTANCE_PREFIX. */
  name: string;
  state: 'provisioning' | 'running' | 'stopped' | 'terminated';
  /** USD per hour for the whole instance while running (every GPU, and what the provider adds), as it bills it; null while unknown. */
  pricePerHour: number | null;
  gpu: string | null;
}

/** What to rent, in provider-neutral terms (a worker profile maps onto it). */
export interface RentRequest {
  /** Our name for the instance (INSTANCE_PREFIX first). */
  name: string;
  image: string;
  /** The GPU as the user wrote it; the provider's client normalises its own spelling. */
  gpuType: string;
  gpuCount: number;
  containerDiskGb: number;
  volumeGb: number;
  /** Where the volume is mounted inside the container. */
  volumeMount: string;
  /** The lowest CUDA version the host's driver must support ("13.0"). */
  cudaMin: string;
  /** The ceiling for the whole instance's hourly price (USD), every GPU included. */
  maxPricePerHour: number;
  /** The worker's TCP port inside the instance, mapped to a public port. */
  port: number;
  /** The environment the worker starts with (its token among it). */
  env: Record<string, string>;
  /**
   * Interruptible capacity: a bid at the provider's current minimum (RunPod's minimumBidPrice per GPU, Vast's
   * min_bid), within the same ceiling; the provider may take the instance back at any time.
   */
  interruptible?: boolean;
}

/** What renting a request would cost right now: the cheapest offer within its constraints and ceiling. */
export interface Quote {
  provider: string;
  /** The GPU as the provider lists it ("1× NVIDIA GeForce RTX 4090"). */
  gpu: string;
  /** USD per hour for the whole instance (the bid, for interruptible capacity). */
  pricePerHour: number;
  interruptible: boolean;
}

/** The lifecycle calls of one provider's API, the subset the cost guard needs. Errors name the provider and the call. */
export interface ProviderClient {
  readonly provider: string;
  /**
   * Rents the cheapest match at or under the ceiling. Refuses (PriceCeilingError) when nothing within
   * the filters is at or under it; nothing is created then.
   */
  create(request: RentRequest): Promise<ProviderInstance>;
  /**
   * The offer `create` would rent now, without renting it (the scaler compares providers with it).
   * PriceCeilingError when nothing within the filters is at or under the ceiling.
   */
  quote(request: RentRequest): Promise<Quote>;
  /** null when the instance no longer exists. */
  get(id: string): Promise<ProviderInstance | null>;
  stop(id: string): Promise<void>;
  /** Starts a stopped instance again, as it was created. */
  start(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  /** Every instance of the account (the reconciler picks ours by name). */
  list(): Promise<ProviderInstance[]>;
}

/** Every instance this project creates is named with this prefix, so a reconciler can tell ours from the rest. */
export const INSTANCE_PREFIX = 'nodetool-';
