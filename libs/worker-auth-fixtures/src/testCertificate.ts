import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway self-signed certificate (EC P-256, one day) for TLS tests, made with openssl. */
export interface TestCertificate {
  dir: string;
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** SHA-256, as Node and the worker's log print it. */
  fingerprint: string;
}

/** `ip` puts that address in the subject alternative names (for CA trust by address); without it the certificate names only `commonName`. */
export function makeTestCertificate(options: { commonName?: string; ip?: string } = {}): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'nt-test-cert-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const names = options.ip ? ['-addext', `subjectAltName=IP:${options.ip}`] : [];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${options.commonName ?? 'nodetool-worker'}`,
      ...names,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  // A container's user (uid 10001) reads them in the container suites; a real key is chown'ed instead.
  chmodSync(dir, 0o755);
  chmodSync(keyFile, 0o644);
  const cert = readFileSync(certFile, 'utf8');
  return { dir, certFile, keyFile, cert, key: readFileSync(keyFile, 'utf8'), fingerprint: new X509Certificate(cert).fingerprint256 };
}
