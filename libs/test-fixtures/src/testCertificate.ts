import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '@nt/certificates';

/** A throwaway self-signed certificate (EC P-256, one day) for TLS tests, also written to files for mounts and CA settings. */
export interface TestCertificate {
  dir: string;
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** SHA-256, as Node and the worker's log print it. */
  fingerprint: string;
}

/** The product's own certificate function; `ip` adds that address to the names (for CA trust by address). */
export async function makeTestCertificate(options: { commonName?: string; ip?: string } = {}): Promise<TestCertificate> {
  const made = await selfSignedCertificate({ commonName: options.commonName, ipAddresses: options.ip ? [options.ip] : [], days: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'nt-test-cert-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, made.certPem);
  // A container's user (uid 10001) reads them in the container suites; a real key is chown'ed instead.
  writeFileSync(keyFile, made.keyPem, { mode: 0o644 });
  chmodSync(dir, 0o755);
  return { dir, certFile, keyFile, cert: made.certPem, key: made.keyPem, fingerprint: made.fingerprint };
}
