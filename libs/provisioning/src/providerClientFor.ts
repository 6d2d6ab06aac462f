import { ConfigError, providerApiFromEnv } from '@nt/bridge';
import type { ProviderClient } from './providerClient.js';
import { RunpodClient } from './runpodClient.js';
import { VastClient } from './vastClient.js';
import type { WorkerProfile } from './workerProfile.js';

/** The client of a profile's provider, with the key from the variable the profile names (a ConfigError naming it when unset). */
export function providerClientFor(profile: Pick<WorkerProfile, 'provider' | 'apiKeyEnv'>, env: NodeJS.ProcessEnv): ProviderClient {
  if (!env[profile.apiKeyEnv]?.trim())
    throw new ConfigError(
      profile.apiKeyEnv,
      `renting a ${profile.provider} worker needs ${profile.apiKeyEnv} (the profile's api_key_env): set it to an API key that may create instances`,
    );
  const keyed = { ...env, [profile.provider === 'runpod' ? 'RUNPOD_API_KEY' : 'VAST_API_KEY']: env[profile.apiKeyEnv] };
  const api = providerApiFromEnv(profile.provider, keyed);
  return profile.provider === 'runpod' ? new RunpodClient(api) : new VastClient(api);
}
