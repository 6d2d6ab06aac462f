import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from './trustProxy.js';

describe('NODETOOL_TRUST_PROXY', () => {
  it('is off unset, a hop count, or the proxies’ addresses and networks', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy(' ')).toBe(false);
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy('10.0.0.0/8, 127.0.0.1,fd00::/8')).toEqual(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
  });

  it('refuses trusting everyone, names, bad networks and silly hop counts, naming the setting', () => {
    for (const text of ['true', '*', 'ingress.local', '10.0.0.0/33', '10.0.0.1/8/2', '0', '99'])
      expect(() => parseTrustProxy(text), text).toThrow(/NODETOOL_TRUST_PROXY/);
  });
});
