import { ConfigError } from '@nt/bridge';
import type { Provider } from './provider.js';
import { findProvider, PROVIDERS } from './registry.js';

/** A worker named by its cloud instance (`<provider>://<instance id>`), whose address is known only at run time. */
export interface ProviderAddress {
  provider: Provider;
  /** The pod or instance id. */
  id: string;
  /** The worker's port inside the instance (the private side of the mapping); default 7777. */
  port: number;
  /** Connect with wss:// (the image serving TLS on its port). */
  tls: boolean;
}

/** Whether a worker URL names a cloud instance of a known provider rather than an address. */
export function isProviderUrl(url: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url.trim())?.[1];
  return scheme !== undefined && findProvider(scheme) !== undefined;
}

/** Parses `<provider>://<id>`, with optional `?port=7777&tls=1`; a mistake is a ConfigError naming `setting`. */
export function parseProviderUrl(url: string, setting = 'NODETOOL_WORKER_URL'): ProviderAddress {
  const shown = JSON.stringify(url);
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new ConfigError(setting, `${setting}: ${shown} is not a valid URL`);
  }
  const provider = findProvider(parsed.protocol.slice(0, -1));
  if (!provider) throw new ConfigError(setting, `${setting}: ${shown} is not a ${PROVIDERS.map((known) => `${known.name}://`).join(' or ')} URL`);
  const id = parsed.hostname;
  if (!provider.id.pattern.test(id)) throw new ConfigError(setting, `${setting}: ${shown} must name ${provider.id.expected}, as ${provider.name}://<id>`);
  if (parsed.username || parsed.password || (parsed.pathname && parsed.pathname !== '/') || parsed.port) {
    throw new ConfigError(setting, `${setting}: ${shown} takes only an id and ?port=…&tls=1 (no user, port or path in the address)`);
  }
  for (const key of parsed.searchParams.keys()) {
    if (key !== 'port' && key !== 'tls') throw new ConfigError(setting, `${setting}: ${shown} has an unknown parameter "${key}" (known: port, tls)`);
  }
  const rawPort = parsed.searchParams.get('port') ?? '7777';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port < 1 || port > 65535)
    throw new ConfigError(setting, `${setting}: ${shown} has port ${JSON.stringify(rawPort)}; expected 1-65535`);
  const rawTls = (parsed.searchParams.get('tls') ?? '0').toLowerCase();
  if (!['0', '1', 'true', 'false'].includes(rawTls)) throw new ConfigError(setting, `${setting}: ${shown} has tls=${JSON.stringify(rawTls)}; expected 1 or 0`);
  return { provider, id, port, tls: rawTls === '1' || rawTls === 'true' };
}

/** The URL of an instance's worker, as the pool and the records name it: it carries no secret. */
export function providerUrl(address: { provider: Pick<Provider, 'name'>; id: string; port?: number; tls: boolean }): string {
  const options = [address.port !== undefined && address.port !== 7777 ? `port=${address.port}` : '', address.tls ? 'tls=1' : ''].filter(Boolean).join('&');
  return `${address.provider.name}://${address.id}${options ? `?${options}` : ''}`;
}
