import type { WorkerLocator } from '@nt/bridge';
import { isProviderUrl, parseProviderUrl } from './providerAddress.js';
import { providerResolver } from './providerResolver.js';
import { PROVIDERS } from './registry.js';

/**
 * What the bridge is given to reach workers named by their cloud instance: every provider of the
 * registry, by scheme. Pass it as `locator` wherever bridge options or a pool configuration are built.
 */
export const providerLocator: WorkerLocator = {
  schemes: PROVIDERS.map((provider) => provider.name),
  handles: isProviderUrl,
  check: (url, setting) => void parseProviderUrl(url, setting),
  resolver: (url, env) => providerResolver(url, { env }),
};
