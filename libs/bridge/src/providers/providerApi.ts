import { isLoopbackHost } from '../linkSecurity.js';
import { ConfigError, WorkerUnreachableError } from '../errors.js';
import type { Provider } from './providerAddress.js';

/** The provider's API key was refused (HTTP 401 or 403). A setting to fix, like any ConfigError. */
export class ProviderKeyRejectedError extends ConfigError {}

/** Where a provider's API is and which key it takes: the defaults, or NODETOOL_RUNPOD_API_URL / NODETOOL_VAST_API_URL for tests and API proxies. */
export interface ProviderApi {
  provider: Provider;
  /** The API's base (RunPod: the GraphQL endpoint; Vast: the `/api/v0` base). */
  baseUrl: string;
  keyVariable: 'RUNPOD_API_KEY' | 'VAST_API_KEY';
  key: string;
  fetch: typeof fetch;
  timeoutMs: number;
}

const DEFAULTS: Record<Provider, { url: string; urlVariable: string; keyVariable: ProviderApi['keyVariable']; name: string }> = {
  runpod: { url: 'https://api.runpod.io/graphql', urlVariable: 'NODETOOL_RUNPOD_API_URL', keyVariable: 'RUNPOD_API_KEY', name: 'RunPod' },
  vast: { url: 'https://console.vast.ai/api/v0', urlVariable: 'NODETOOL_VAST_API_URL', keyVariable: 'VAST_API_KEY', name: 'Vast.ai' },
};

export function providerName(provider: Provider): string {
  return DEFAULTS[provider].name;
}

/**
 * The API settings of a provider from the environment. A missing key, or a base URL that would send the
 * key in the clear (http:// to another host), is a ConfigError naming the variable, raised before any
 * connection is tried.
 */
export function providerApiFromEnv(provider: Provider, env: NodeJS.ProcessEnv, fetchImpl: typeof fetch = fetch): ProviderApi {
  const { url, urlVariable, keyVariable, name } = DEFAULTS[provider];
  const key = env[keyVariable]?.trim() ?? '';
  if (!key) throw new ConfigError(keyVariable, `${provider}:// workers need ${keyVariable}: set it to a ${name} API key that may read your instances`);
  const baseUrl = (env[urlVariable]?.trim() || url).replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new ConfigError(urlVariable, `${urlVariable} is not a valid URL: ${JSON.stringify(baseUrl)}`);
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname))) {
    throw new ConfigError(urlVariable, `${urlVariable} must be https:// (http:// only on this machine), since ${keyVariable} goes with every request`);
  }
  return { provider, baseUrl, keyVariable, key, fetch: fetchImpl, timeoutMs: 10_000 };
}

/**
 * One authenticated request to the provider's API: its status (2xx or 404) and JSON. The key goes in
 * the Authorization header only, never in a URL, an error or a log. An API that cannot be reached or
 * fails (5xx, not JSON) is a WorkerUnreachableError, so a bridge backs off as for any unreachable worker.
 */
export async function callProviderApi(
  api: ProviderApi,
  path: string,
  init: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; body?: unknown },
): Promise<{ status: number; body: unknown }> {
  const name = providerName(api.provider);
  let response: Response;
  try {
    response = await api.fetch(`${api.baseUrl}${path}`, {
      method: init.method,
      headers: { authorization: `Bearer ${api.key}`, accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(api.timeoutMs),
    });
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${api.timeoutMs} ms`
        : ((error as { cause?: Error }).cause?.message ?? (error as Error).message);
    throw new WorkerUnreachableError(`Cannot reach the ${name} API at ${api.baseUrl}: ${reason}`);
  }
  const text = await response.text();
  if (response.status === 401 || response.status === 403) {
    throw new ProviderKeyRejectedError(
      api.keyVariable,
      `The ${name} API refused ${api.keyVariable} (HTTP ${response.status}): set it to a valid key that may read your instances`,
    );
  }
  if (!response.ok && response.status !== 404) throw new WorkerUnreachableError(`The ${name} API at ${api.baseUrl} answered HTTP ${response.status}`);
  try {
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
  } catch {
    throw new WorkerUnreachableError(`The ${name} API at ${api.baseUrl} answered HTTP ${response.status} with something that is not JSON`);
  }
}
