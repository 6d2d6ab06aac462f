import { readSetting } from '@nt/settings';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ConfigError } from './errors.js';

/** Host names and addresses that never leave this machine. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || name === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(name);
  return false;
}

// Addresses no one on the internet can route to: loopback, RFC 1918, RFC 4193 (unique local) and
// 100.64.0.0/10 (shared address space, which Tailscale and other tunnels hand out). A token sent in the
// clear to one of them stays inside a network someone runs: a Kubernetes cluster, a compose network,
// a tunnel.
const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');

/** Whether an IP address is private (loopback, RFC 1918, RFC 4193, 100.64.0.0/10); IPv4-mapped IPv6 counts as its IPv4. */
export function isPrivateAddress(address: string): boolean {
  const name = address.replace(/^\[|\]$/g, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(name)?.[1];
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  const family = isIP(name);
  if (family === 4) return PRIVATE.check(name, 'ipv4');
  if (family === 6) return PRIVATE.check(name, 'ipv6');
  return false;
}

/**
 * Whether what travels over a worker URL is private: TLS (`wss://`), or plain `ws://` that stays on this
 * machine. A token, a secret or a result sent over plain ws:// to another host can be read, and
 * changed, by anyone on the path. A URL a locator resolves (a cloud instance) says `tls=1` when it
 * becomes wss://.
 */
export function isConfidentialWorkerUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'wss:') return true;
    if (parsed.protocol === 'ws:') return isLoopbackHost(parsed.hostname);
    return ['1', 'true'].includes(parsed.searchParams.get('tls') ?? '');
  } catch {
    return false;
  }
}

export const ALLOW_PLAINTEXT_ENV = 'NODETOOL_WORKER_ALLOW_PLAINTEXT' as const;

/** NODETOOL_WORKER_ALLOW_PLAINTEXT=1: the one setting that lets a token go over plain ws:// to a public address. */
export function plaintextAllowedFromEnv(env: NodeJS.ProcessEnv): boolean {
  return readSetting(env, ALLOW_PLAINTEXT_ENV);
}

/** A token would go over plain ws:// to a publicly routable address. */
export function plaintextRefusal(shown: string, address: string): ConfigError {
  return new ConfigError(
    ALLOW_PLAINTEXT_ENV,
    `refusing to send the worker token over plain ws:// to ${shown} (${address}, a public address), where anyone on the path can read it: ` +
      `use wss:// (NODETOOL_WORKER_TLS in the image; ?tls=1 on a cloud instance's URL), a private network or a tunnel, ` +
      `or set ${ALLOW_PLAINTEXT_ENV}=1 to accept the risk`,
  );
}

type Resolve = (
  hostname: string,
  options: { all: true; family?: number },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A lookup for the socket that sends a token over plain ws:// to a host given by name: it connects only
 * when every address the name resolves to is private, and fails with the plaintext refusal (a
 * ConfigError) otherwise. Checked in the lookup itself, so the address checked is the one connected to.
 */
export function privateOnlyLookup(shown: string, resolve: Resolve = dnsLookup as unknown as Resolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { family: options.family as number | undefined, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const exposed = addresses.find((entry) => !isPrivateAddress(entry.address));
      if (exposed) return callback(plaintextRefusal(shown, exposed.address) as unknown as NodeJS.ErrnoException, '', 0);
      if (options.all) return (callback as unknown as (error: null, all: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}
