import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { isConfidentialWorkerUrl, isPrivateAddress, privateOnlyLookup } from './linkSecurity.js';

/** What the socket's lookup answers for a name that resolves to `addresses`. */
function lookUp(addresses: string[]): Promise<{ error: Error | null; address: string }> {
  const lookup = privateOnlyLookup('ws://worker:7777', (_name, _options, callback) =>
    callback(
      null,
      addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })),
    ),
  );
  return new Promise((resolve) => lookup('worker', {}, (error, address) => resolve({ error, address: String(address) })));
}

describe('private addresses', () => {
  it('are loopback, RFC 1918, RFC 4193 and 100.64.0.0/10, and IPv4 mapped into IPv6; nothing else', () => {
    for (const address of [
      '127.0.0.1',
      '10.96.0.10',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.2',
      '100.64.0.1',
      '100.127.255.254',
      '::1',
      'fd00::7',
      'fc00::1',
      '::ffff:10.0.0.1',
      '[fd7a:115c:a1e0::1]',
    ])
      expect(isPrivateAddress(address), address).toBe(true);
    for (const address of ['203.0.113.7', '8.8.8.8', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2001:db8::1', 'fe80::1', '::ffff:203.0.113.7', 'gpu.example'])
      expect(isPrivateAddress(address), address).toBe(false);
  });

  it('make a plain ws:// link private only when it stays on this machine', () => {
    expect(isConfidentialWorkerUrl('ws://127.0.0.1:1')).toBe(true);
    expect(isConfidentialWorkerUrl('ws://10.0.0.1:1')).toBe(false);
    expect(isConfidentialWorkerUrl('wss://gpu.example')).toBe(true);
    expect(isConfidentialWorkerUrl('cloud://abc?tls=1')).toBe(true);
    expect(isConfidentialWorkerUrl('cloud://abc')).toBe(false);
  });
});

describe('a token over plain ws:// to a name', () => {
  it('connects when the name is a Kubernetes Service (cluster addresses), a compose service or a tunnel peer', async () => {
    expect(await lookUp(['10.96.0.10'])).toEqual({ error: null, address: '10.96.0.10' });
    expect(await lookUp(['172.18.0.3', '172.18.0.4'])).toEqual({ error: null, address: '172.18.0.3' });
    expect(await lookUp(['100.101.102.103'])).toEqual({ error: null, address: '100.101.102.103' });
    expect(await lookUp(['fd7a:115c:a1e0::3'])).toEqual({ error: null, address: 'fd7a:115c:a1e0::3' });
  });

  it('is refused when any address the name resolves to is public, before a connection is tried', async () => {
    for (const addresses of [['203.0.113.7'], ['10.0.0.1', '203.0.113.7'], ['2001:db8::9']]) {
      const { error } = await lookUp(addresses);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).setting).toBe('NODETOOL_WORKER_ALLOW_PLAINTEXT');
      expect(error?.message).toMatch(/refusing to send the worker token over plain ws:\/\/ to ws:\/\/worker:7777 \(.*, a public address\)/);
    }
  });
});
