import { ConfigError } from '@nt/bridge';
import type { Provider } from './provider.js';
import { PROVIDERS } from './providerList.js';

export { PROVIDERS };

const BY_NAME = new Map(PROVIDERS.map((provider) => [provider.name, provider]));

/** The names a profile's `provider` may take. */
export function providerNames(): string[] {
  return [...BY_NAME.keys()];
}

/** The provider of that name (also its scheme), or undefined. */
export function findProvider(name: string): Provider | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** The provider of that name, or a ConfigError naming `setting` and the known ones. */
export function providerNamed(name: string, setting = 'provider'): Provider {
  const provider = findProvider(name);
  if (!provider) throw new ConfigError(setting, `unknown provider ${JSON.stringify(name)}; known: ${providerNames().join(', ')}`);
  return provider;
}

/** The asset store's bucket credentials (nodetool's names and the AWS SDK's). */
const STORAGE_CREDENTIALS = new Set(['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);

/**
 * The credentials of this system itself, never sent to a worker however a node asks: the worker and
 * server tokens (NODETOOL_*TOKEN*), every provider's key variable, the NODETOOL_*_API_KEY variables a
 * profile may name for a provider key instead, and the asset bucket's keys (a worker gets presigned
 * URLs, never a key).
 */
export function isSystemCredential(name: string): boolean {
  return (
    /^NODETOOL_\w*TOKEN\w*$/.test(name) ||
    /^NODETOOL_\w+_API_KEY$/.test(name) ||
    STORAGE_CREDENTIALS.has(name) ||
    PROVIDERS.some((provider) => provider.keyVariable === name)
  );
}

/**
 * Whether a variable may hold `provider`'s API key (a profile's api_key_env): its own variable, or a
 * NODETOOL_<…>_API_KEY one. Never a token of this system, another provider's key, or any other
 * variable, so a profile cannot make the server send HF_TOKEN or cloud keys to a provider.
 */
export function mayHoldProviderKey(provider: Provider, name: string): boolean {
  if (name === provider.keyVariable) return true;
  return /^NODETOOL_[A-Z0-9_]+_API_KEY$/.test(name) && !/TOKEN/.test(name);
}
