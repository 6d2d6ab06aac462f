import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, type PeerCertificate } from 'node:tls';
import { BridgeError, ConfigError, WorkerUnreachableError } from '../errors.js';

/** The worker presented a certificate whose SHA-256 fingerprint is not the pinned one. */
export class TlsPinMismatchError extends BridgeError {
  override readonly code = 'BRIDGE_ERR_TLS_PIN';
}

/**
 * A SHA-256 certificate fingerprint as people paste it (`AB:CD:…`, `abcd…`, with or without
 * `sha256:`), in Node's form: 32 upper-case hex bytes joined by colons.
 */
export function normalizeFingerprint(raw: string, setting = 'NODETOOL_WORKER_TLS_FINGERPRINT'): string {
  const hex = raw
    .trim()
    .replace(/^sha-?256[:=]?\s*/i, '')
    .replace(/[:\s]/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new ConfigError(setting, `${setting} must be a SHA-256 fingerprint (64 hex digits, colons allowed), as the worker logs it at start`);
  }
  return hex.match(/../g)?.join(':') as string;
}

/**
 * For wss:// with a pinned fingerprint: one TLS handshake that only reads the worker's certificate (no
 * byte of HTTP, so no token, is sent on it), then the TLS options under which the real connection
 * trusts exactly that certificate and checks the pin again. Anything else is a TlsPinMismatchError
 * before the token ever leaves.
 */
export async function pinnedTlsOptions(
  target: { host: string; port: number; servername?: string; shown: string },
  fingerprint: string,
  timeoutMs: number,
): Promise<{ ca: string; checkServerIdentity: (host: string, cert: PeerCertificate) => Error | undefined }> {
  const presented = await new Promise<PeerCertificate>((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port, servername: target.servername ?? sniName(target.host), rejectUnauthorized: false });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new WorkerUnreachableError(`Cannot reach the worker at ${target.shown}: no TLS handshake within ${timeoutMs} ms`));
    });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate(false);
      socket.destroy();
      resolve(cert);
    });
    socket.once('error', (error) => reject(new WorkerUnreachableError(`Cannot reach the worker at ${target.shown} over TLS: ${error.message}`)));
  });
  const mismatch = (seen: string | undefined) =>
    new TlsPinMismatchError(
      `The worker at ${target.shown} presented a certificate with SHA-256 fingerprint ${seen ?? '(none)'}, not the pinned ${fingerprint} ` +
        '(NODETOOL_WORKER_TLS_FINGERPRINT): if the worker made a new certificate, pin the one it logged; otherwise something is in between',
    );
  if (!presented.raw || presented.fingerprint256 !== fingerprint) throw mismatch(presented.fingerprint256);
  return {
    ca: new X509Certificate(presented.raw).toString(),
    // The pin, not the name, identifies the worker: rented instances are reached by address.
    checkServerIdentity: (_host, cert) => (cert.fingerprint256 === fingerprint ? undefined : mismatch(cert.fingerprint256)),
  };
}

function sniName(host: string): string | undefined {
  // SNI takes names only, never addresses.
  return isIP(host) ? undefined : host;
}
