import { BlockList, isIP } from 'node:net';

// Addresses a fetch of a workflow's media must never reach (server-side request forgery): this
// machine, private networks, link-local (the cloud metadata services at 169.254.169.254 and
// fd00:ec2::254 among them), shared, multicast and reserved space, and IPv6 forms that lead back
// to IPv4 (mapped, NAT64), checked as the address they stand for.
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');

/** Whether an IP address is one anyone on the internet could reach (so a fetch of it cannot reach inside). */
export function isPublicAddress(address: string): boolean {
  const name = address.replace(/^\[|\]$/g, '').toLowerCase();
  const family = isIP(name);
  if (family === 4) return !NOT_PUBLIC.check(name, 'ipv4');
  if (family !== 6) return false;
  // ::ffff:a.b.c.d and 64:ff9b::a.b.c.d (NAT64) reach the IPv4 address they carry.
  const embedded = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(name)?.[1] ?? hexEmbedded(name);
  if (embedded) return isPublicAddress(embedded);
  return !NOT_PUBLIC.check(name, 'ipv6');
}

/** ::ffff:7f00:1 and 64:ff9b::7f00:1, the hexadecimal spellings of an embedded IPv4 address. */
function hexEmbedded(name: string): string | null {
  const match = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(name);
  if (!match) return null;
  const high = parseInt(match[1] as string, 16);
  const low = parseInt(match[2] as string, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}
