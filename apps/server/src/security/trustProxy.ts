import { BlockList, isIP } from 'node:net';
import { ConfigError } from '@nt/settings';

/** Whose X-Forwarded-For the server believes for a client's address: nobody's, the last N hops, or the proxies listed. */
export type TrustProxy = false | number | string[];

/**
 * As Fastify takes it. A hop count becomes a function trusting the nearest N hops (Fastify 5 refuses a bare
 * number: a count cannot check who the peer is, so a client that reaches the server directly could name
 * any address; use it only where the proxy is the one way in).
 */
export function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust;
}

/**
 * NODETOOL_TRUST_PROXY: unset, none; a hop count (1: the one proxy in front); or a comma list of the
 * proxies' addresses and networks (127.0.0.1, 10.0.0.0/8, fd00::/8). Anything else (`true`, a name)
 * is refused: trusting every sender would let any client choose the address the login limit counts.
 */
export function parseTrustProxy(text: string | undefined): TrustProxy {
  const value = text?.trim() ?? '';
  if (!value) return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops < 1 || hops > 16) throw new ConfigError('NODETOOL_TRUST_PROXY', `NODETOOL_TRUST_PROXY: a hop count is 1 to 16, got ${value}`);
    return hops;
  }
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= bits);
    if (!family || !prefixOk || rest.length) {
      throw new ConfigError(
        'NODETOOL_TRUST_PROXY',
        `NODETOOL_TRUST_PROXY takes a hop count (1) or the proxies' addresses and networks (10.0.0.0/8,127.0.0.1); ${JSON.stringify(entry.slice(0, 60))} is neither`,
      );
    }
    // BlockList parses what Fastify's proxy-addr will: a last check that the network is well formed.
    if (prefix !== undefined) new BlockList().addSubnet(address as string, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
  }
  return entries;
}
