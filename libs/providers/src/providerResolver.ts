import { parseProviderUrl } from './providerAddress.js';
import { providerApiFromEnv } from './providerApi.js';
import { endpointUrl } from './workerEndpoint.js';

/** How long the outage probe (every 500 ms) reuses an answer, found or failed: the provider's API is asked at most this often for it. */
export const PROVIDER_RESOLUTION_TTL_MS = 2_000;

export interface ProviderResolverOptions {
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  ttlMs?: number;
  now?: () => number;
}

/**
 * The resolveUrl() of a cloud instance's worker (`runpod://<pod>`): asks the provider where the
 * instance's worker port is mapped now and answers with its ws:// (or, with tls=1, wss://) URL. Built
 * eagerly, so a missing key or a bad URL is a ConfigError before anything connects. A connect attempt
 * (paced by the reconnect backoff) always asks afresh, so a restarted instance is found at once; the
 * outage probe reuses the last answer, found or failed, for PROVIDER_RESOLUTION_TTL_MS. Callers at the
 * same moment share one request.
 */
export function providerResolver(url: string, options: ProviderResolverOptions = {}): (purpose?: 'connect' | 'probe') => Promise<string> {
  const address = parseProviderUrl(url);
  const api = providerApiFromEnv(address.provider, options.env ?? process.env, { fetch: options.fetch });
  const ttlMs = options.ttlMs ?? PROVIDER_RESOLUTION_TTL_MS;
  const now = options.now ?? Date.now;
  let last: { outcome: Promise<string>; at: number } | null = null;
  return (purpose = 'connect') => {
    const inFlight = last !== null && last.at === Number.POSITIVE_INFINITY;
    const fresh = last !== null && now() - last.at < ttlMs;
    if (last && (inFlight || (purpose === 'probe' && fresh))) return last.outcome;
    const outcome = address.provider.locate(api, address).then((endpoint) => endpointUrl(endpoint, address.tls));
    const entry = { outcome, at: Number.POSITIVE_INFINITY };
    last = entry;
    void outcome.then(
      () => (entry.at = now()),
      () => (entry.at = now()),
    );
    return outcome;
  };
}
