import { ConfigError, isLoopbackHost } from '@nt/bridge';
import type { Provider } from './provider.js';
import { ProviderCallError, ProviderKeyRejectedError, ProviderUnavailableError } from './providerErrors.js';

/** Where a provider's API is and which key it takes. */
export interface ProviderApi {
  provider: Provider;
  /** The API's base URL, without a trailing slash. */
  baseUrl: string;
  /** The variable the key was read from, for messages (the key itself never appears in one). */
  keyVariable: string;
  key: string;
  fetch: typeof fetch;
  timeoutMs: number;
}

/**
 * The API settings of a provider from the environment: the key from `keyVariable` (default: the
 * provider's own), the base URL from the provider's URL variable (tests, API proxies). A missing key,
 * or a base URL that would send the key in the clear (http:// to another host), is a ConfigError naming
 * the variable, raised before any connection is tried.
 */
export function providerApiFromEnv(
  provider: Provider,
  env: NodeJS.ProcessEnv,
  options: { keyVariable?: string; fetch?: typeof fetch; renting?: boolean } = {},
): ProviderApi {
  const keyVariable = options.keyVariable ?? provider.keyVariable;
  const key = env[keyVariable]?.trim() ?? '';
  if (!key) {
    const own = keyVariable === provider.keyVariable ? '' : " (the profile's api_key_env)";
    throw new ConfigError(
      keyVariable,
      options.renting
        ? `renting a ${provider.displayName} worker needs ${keyVariable}${own}: set it to a ${provider.displayName} API key that may create instances`
        : `${provider.name}:// workers need ${keyVariable}: set it to a ${provider.displayName} API key that may read your instances`,
    );
  }
  const { urlVariable, defaultUrl } = provider.api;
  const baseUrl = (env[urlVariable]?.trim() || defaultUrl).replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new ConfigError(urlVariable, `${urlVariable} is not a valid URL: ${JSON.stringify(baseUrl)}`);
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname))) {
    throw new ConfigError(urlVariable, `${urlVariable} must be https:// (http:// only on this machine), since ${keyVariable} goes with every request`);
  }
  return { provider, baseUrl, keyVariable, key, fetch: options.fetch ?? fetch, timeoutMs: 10_000 };
}

export interface ProviderReply {
  status: number;
  body: unknown;
}

/**
 * One authenticated request to the provider's API: its status (2xx or 404) and JSON. The key goes in
 * the Authorization header only, never in a URL, an error or a log. `query` values that are not
 * strings go as JSON (the way Vast's API reads them).
 *   - unreachable, timed out, 429, 5xx, not JSON: ProviderUnavailableError (a WorkerUnreachableError, so a bridge backs off);
 *   - 401/403: ProviderKeyRejectedError, naming the key's variable;
 *   - any other 4xx: ProviderCallError with what the API said (a GraphQL error, Vast's `msg`).
 */
export async function callProviderApi(
  api: ProviderApi,
  path: string,
  init: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; body?: unknown; query?: Record<string, unknown> },
): Promise<ProviderReply> {
  const name = api.provider.displayName;
  const search = init.query
    ? `?${Object.entries(init.query)
        .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value))}`)
        .join('&')}`
    : '';
  let response: Response;
  try {
    response = await api.fetch(`${api.baseUrl}${path}${search}`, {
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
    throw new ProviderUnavailableError(`Cannot reach the ${name} API at ${api.baseUrl}: ${reason}`);
  }
  const text = await response.text();
  if (response.status === 401 || response.status === 403) {
    throw new ProviderKeyRejectedError(
      api.keyVariable,
      `The ${name} API refused ${api.keyVariable} (HTTP ${response.status}): set it to a valid key that may manage your instances`,
    );
  }
  let body: unknown = null;
  try {
    body = text ? (JSON.parse(text) as unknown) : null;
  } catch {
    if (response.ok || response.status === 404)
      throw new ProviderUnavailableError(`The ${name} API at ${api.baseUrl} answered HTTP ${response.status} with something that is not JSON`);
  }
  if (response.status === 429 || response.status >= 500)
    throw new ProviderUnavailableError(`The ${name} API at ${api.baseUrl} answered HTTP ${response.status}`);
  if (!response.ok && response.status !== 404) {
    throw new ProviderCallError(
      `The ${name} API refused ${init.method}${path ? ` ${path}` : ''} (HTTP ${response.status}): ${said(body) ?? 'no reason given'}`,
    );
  }
  return { status: response.status, body };
}

/** What an error answer says: a GraphQL error list, or Vast's msg/error. */
export function said(body: unknown): string | undefined {
  const reply = (body ?? {}) as { errors?: Array<{ message?: string }>; msg?: string; error?: string };
  const graphql = reply.errors
    ?.map((error) => error.message)
    .filter(Boolean)
    .join('; ');
  return graphql || reply.msg || reply.error || undefined;
}
