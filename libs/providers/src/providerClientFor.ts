import { providerApiFromEnv } from './providerApi.js';
import type { ProviderClient } from './providerClient.js';
import { providerNamed } from './registry.js';

/**
 * The lifecycle client of a provider, with its key from `keyVariable` (a profile's api_key_env; default
 * the provider's own variable). An unset key is a ConfigError naming the variable.
 */
export function providerClientFor(target: { provider: string; apiKeyEnv?: string }, env: NodeJS.ProcessEnv, fetchImpl?: typeof fetch): ProviderClient {
  const provider = providerNamed(target.provider);
  const api = providerApiFromEnv(provider, env, { keyVariable: target.apiKeyEnv ?? provider.keyVariable, fetch: fetchImpl, renting: true });
  return provider.client(api);
}
