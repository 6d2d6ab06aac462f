import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from './selfSignedCertificate.js';

/** What a TLS client that pins nothing but trusts this certificate as its CA sees when it connects to 127.0.0.1. */
async function handshake(certPem: string, keyPem: string, servername?: string): Promise<{ authorized: boolean; error: string | null; fingerprint: string }> {
  const server = createServer({ cert: certPem, key: keyPem }, (socket) => socket.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, ca: certPem, servername, rejectUnauthorized: false });
    await once(socket, 'secureConnect');
    const seen = {
      authorized: socket.authorized,
      error: socket.authorizationError ? String(socket.authorizationError) : null,
      fingerprint: socket.getPeerCertificate().fingerprint256,
    };
    socket.destroy();
    return seen;
  } finally {
    server.close();
  }
}

describe('selfSignedCertificate', () => {
  it('makes a certificate and key that a TLS server serves and a client trusting it accepts, with the fingerprint Node prints', async () => {
    const made = await selfSignedCertificate({ commonName: 'nodetool-worker', days: 825 });
    const seen = await handshake(made.certPem, made.keyPem, 'nodetool-worker');
    expect(seen).toEqual({ authorized: true, error: null, fingerprint: made.fingerprint });
    expect(made.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('names an IP address as an IP subject alternative name (a client connecting by address accepts it)', async () => {
    const made = await selfSignedCertificate({ commonName: '127.0.0.1', days: 1 });
    expect(new X509Certificate(made.certPem).subjectAltName).toBe('IP Address:127.0.0.1');
    expect((await handshake(made.certPem, made.keyPem)).authorized).toBe(true);
  });

  it('is valid for the days asked, from a minute ago, with a fresh key and serial each time', async () => {
    const before = Date.now();
    const [a, b] = await Promise.all([selfSignedCertificate({ days: 1 }), selfSignedCertificate({ days: 1 })]);
    const cert = new X509Certificate(a!.certPem);
    expect(Date.parse(cert.validFrom)).toBeLessThanOrEqual(before);
    expect(Date.parse(cert.validTo) - Date.parse(cert.validFrom)).toBeGreaterThanOrEqual(24 * 3600 * 1000 - 1000);
    expect(cert.subject).toBe('CN=nodetool-worker');
    expect(cert.subjectAltName).toBe('DNS:nodetool-worker');
    expect(cert.ca).toBe(false);
    expect(a!.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
    // Whole lines, so a bundle of them (cat a.pem b.pem) stays valid PEM.
    expect(a!.certPem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    expect(a!.keyPem).not.toBe(b!.keyPem);
    expect(cert.serialNumber).not.toBe(new X509Certificate(b!.certPem).serialNumber);
  });

  it('refuses a name it does not serve (the certificate is not a wildcard)', async () => {
    const made = await selfSignedCertificate({ commonName: 'nodetool-worker', days: 1 });
    const seen = await handshake(made.certPem, made.keyPem, 'other-host');
    expect(seen.authorized).toBe(false);
    expect(seen.error).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|Hostname\/IP does not match/);
  });
});
