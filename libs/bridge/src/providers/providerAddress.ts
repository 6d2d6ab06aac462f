import { ConfigError } from '../errors.js';

export type Provider = 'runpod' | 'vast';

/** A worker named by its cloud instance (`runpod://<podId>`, `vast://<instanceId>`), whose address is known only at run time. */
export interface ProviderAddress {
  provider: Provider;
  /** The pod or instance id. */
  id: string;
  /** The worker's port inside the instance (the private side of the mapping); default 7777. */
  port: number;
  /** Connect with wss:// (the image serving TLS on its port). */
  tls: boolean;
}

const ID_PATTERN: Record<Provider, RegExp> = {
  // RunPod pod ids are short lowercase alphanumerics; Vast instance ids are numbers.
  runpod: /^[a-z0-9]{6,32}$/i,
  vast: /^[0-9]{1,12}$/,
};

/** Whether a worker URL names a cloud instance rather than an address. */
export function isProviderUrl(url: string): boolean {
  return /^(runpod|vast):\/\//i.test(url.trim());
}

/** Parses `runpod://<podId>` or `vast://<instanceId>`, with optional `?port=7777&tls=1`; a mistake is a ConfigError naming `setting`. */
export function parseProviderUrl(url: string, setting = 'NODETOOL_WORKER_URL'): ProviderAddress {
  const shown = JSON.stringify(url);
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new ConfigError(setting, `${setting}: ${shown} is not a valid URL`);
  }
  const provider = parsed.protocol.slice(0, -1).toLowerCase() as Provider;
  if (provider !== 'runpod' && provider !== 'vast') throw new ConfigError(setting, `${setting}: ${shown} is not a runpod:// or vast:// URL`);
  const id = parsed.hostname;
  if (!ID_PATTERN[provider].test(id)) {
    const expected = provider === 'runpod' ? 'a pod id (letters and digits, as in the RunPod console)' : 'a numeric instance id';
    throw new ConfigError(setting, `${setting}: ${shown} must name ${expected}, as ${provider}://<id>`);
  }
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

/** How the address is named in logs, health and run records: it carries no secret. */
export function describeProviderAddress(address: ProviderAddress): string {
  const options = [address.port !== 7777 ? `port=${address.port}` : '', address.tls ? 'tls=1' : ''].filter(Boolean).join('&');
  return `${address.provider}://${address.id}${options ? `?${options}` : ''}`;
}
