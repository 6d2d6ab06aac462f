import { hostname, networkInterfaces } from 'node:os';
import { isLoopbackHost } from '@nt/bridge';

/**
 * Which Host headers the server answers and which Origins may open its WebSocket or change state.
 * Checking Host defeats DNS rebinding (a page whose name resolves to 127.0.0.1 still sends its own
 * name as Host); checking Origin stops other sites from driving the server through the browser.
 */
export interface HostPolicy {
  isAllowedHost(hostHeader: string | undefined): boolean;
  /** Same origin as the request's Host, or listed in NODETOOL_ALLOWED_ORIGINS. */
  isAllowedOrigin(origin: string, hostHeader: string | undefined): boolean;
}

const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]', '']);

/**
 * Allowed hosts: loopback names and addresses, the host the server is bound to (and, bound to every
 * interface, this machine's name and addresses), and `extraHosts` (NODETOOL_ALLOWED_HOSTS: a name, an
 * address, `.example.com` for a domain and its subdomains, or `*` for any, which turns the check off).
 */
export function createHostPolicy(boundHost: string, extraHosts: string[], extraOrigins: string[]): HostPolicy {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  let anyHost = false;
  const allow = (name: string) => exact.add(normaliseHost(name));
  if (WILDCARD_BINDS.has(boundHost)) {
    allow(hostname());
    for (const addresses of Object.values(networkInterfaces())) for (const address of addresses ?? []) allow(address.address);
  } else {
    allow(boundHost);
  }
  for (const entry of extraHosts) {
    if (entry === '*') anyHost = true;
    else if (entry.startsWith('.')) suffixes.push(entry.toLowerCase());
    else allow(entry);
  }
  const origins = new Set(extraOrigins.map((origin) => origin.toLowerCase().replace(/\/$/, '')));

  const isAllowedHost = (hostHeader: string | undefined) => {
    const host = hostOf(hostHeader);
    if (host === null) return false;
    return anyHost || isLoopbackHost(host) || exact.has(host) || suffixes.some((suffix) => host.endsWith(suffix) || host === suffix.slice(1));
  };
  return {
    isAllowedHost,
    isAllowedOrigin(origin, hostHeader) {
      const normalised = origin.toLowerCase().replace(/\/$/, '');
      if (origins.has(normalised)) return true;
      let parsed: URL;
      try {
        parsed = new URL(normalised);
      } catch {
        return false; // "null" (sandboxed frames, file://) and garbage
      }
      return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && hostHeader !== undefined && parsed.host === hostHeader.toLowerCase();
    },
  };
}

/** The host part of a Host header without the port, lower-cased; null when absent or malformed. */
export function hostOf(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  const value = hostHeader.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d+)?$/.exec(value);
  if (bracketed) return bracketed[1] as string;
  const plain = /^([a-z0-9.-]+)(?::\d+)?$/.exec(value);
  return plain ? (plain[1] as string) : null;
}

function normaliseHost(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
}
