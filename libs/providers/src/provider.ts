import type { ProviderAddress } from './providerAddress.js';
import type { ProviderApi } from './providerApi.js';
import type { ProviderClient } from './providerClient.js';
import type { WorkerEndpoint } from './workerEndpoint.js';

/**
 * Everything provider-specific, behind one interface: one of these per provider folder, listed once in
 * the registry. Nothing outside a provider's folder names the provider; the rest of the repo asks the
 * registry.
 */
export interface Provider {
  /** The name profiles and records use, and the URL scheme (`runpod` → `runpod://<id>`). */
  readonly name: string;
  /** For people: "RunPod". */
  readonly displayName: string;
  /** The environment variable its API key is read from by default (never sent to a worker). */
  readonly keyVariable: string;
  /** Where its API is, and the variable that moves it (tests, API proxies). */
  readonly api: { defaultUrl: string; urlVariable: string };
  /** What an instance id looks like, and how to say so. */
  readonly id: { pattern: RegExp; expected: string };
  /** Where its hosts mount the instance's volume (HF_HOME goes under it). */
  readonly defaultVolumeMount: string;
  /** Where a worker listens now: the public side of its port mapping, or a WorkerUnreachableError saying why not. */
  locate(api: ProviderApi, address: ProviderAddress): Promise<WorkerEndpoint>;
  /** The lifecycle calls: create, get, stop, start, destroy, list. */
  client(api: ProviderApi): ProviderClient;
}
