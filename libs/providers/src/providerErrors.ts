import { BridgeError, ConfigError, WorkerUnreachableError } from '@nt/bridge';

/** The provider's API key was refused (HTTP 401 or 403). A setting to fix, like any ConfigError. */
export class ProviderKeyRejectedError extends ConfigError {}

/** The provider's API could not be reached or failed on its side (network, timeout, 429, 5xx): try again later. */
export class ProviderUnavailableError extends WorkerUnreachableError {}

/**
 * The provider refused a call (a 4xx other than the key, or GraphQL errors): the request or the account
 * is wrong, or the provider cannot do it (no capacity). Trying again unchanged will not help.
 */
export class ProviderCallError extends BridgeError {
  override readonly code = 'PROVIDER_ERR_CALL';
}

/** Nothing to rent within the profile's price ceiling; nothing was created. */
export class PriceCeilingError extends BridgeError {
  override readonly code = 'PROVIDER_ERR_PRICE_CEILING';
}
