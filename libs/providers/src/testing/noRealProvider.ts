import { PROVIDERS } from '../providerList.js';

/**
 * TEST FIXTURE: every provider's API URL pointed at a closed loopback port (9, discard), for a server a
 * suite starts: unless the suite points a provider at its fixture, a call goes nowhere and fails,
 * instead of reaching the provider's real host (the default).
 */
export const NO_REAL_PROVIDER: Readonly<Record<string, string>> = Object.fromEntries(
  PROVIDERS.map((provider) => [provider.api.urlVariable, `http://127.0.0.1:9/${provider.name}-is-never-called-from-a-test`]),
);
