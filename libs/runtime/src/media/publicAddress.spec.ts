import { describe, expect, it } from 'vitest';
import { isPublicAddress } from './publicAddress.js';

describe('isPublicAddress', () => {
  it('refuses loopback, private, link-local, metadata, shared and reserved addresses, in every spelling', () => {
    for (const inside of [
      '127.0.0.1',
      '127.8.9.10',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      'fc00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::10.0.0.1',
      '[::1]',
      'localhost',
      'not an address',
    ])
      expect(isPublicAddress(inside), inside).toBe(false);
  });

  it('lets public addresses through', () => {
    for (const outside of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(isPublicAddress(outside), outside).toBe(true);
  });
});
