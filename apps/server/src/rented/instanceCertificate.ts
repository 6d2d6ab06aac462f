import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A self-signed certificate for one rented worker, made here so the server knows its fingerprint before
 * the instance exists: the instance receives certificate and key in its environment
 * (NODETOOL_WORKER_TLS_CERT_PEM/_KEY_PEM, which the image's entrypoint writes to files for stunnel),
 * and the server pins the fingerprint. The key is kept nowhere else: the temporary files are removed.
 */
export async function makeInstanceCertificate(): Promise<{ certPem: string; keyPem: string; fingerprint: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'nt-instance-tls-'));
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '825',
      '-subj',
      '/CN=nodetool-worker',
      '-addext',
      'subjectAltName=DNS:nodetool-worker',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    const [certPem, keyPem] = await Promise.all([readFile(join(dir, 'cert.pem'), 'utf8'), readFile(join(dir, 'key.pem'), 'utf8')]);
    return { certPem, keyPem, fingerprint: new X509Certificate(certPem).fingerprint256 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
