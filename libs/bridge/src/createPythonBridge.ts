import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { readSetting, tokenSource } from '@nt/settings';
import { ConfigError } from './errors.js';
import { isPrivateAddress, plaintextAllowedFromEnv, plaintextRefusal } from './linkSecurity.js';
import { describeUrl } from './redact.js';
import { normalizeFingerprint } from './transport/tlsPin.js';
import { checkWorkerUrl, isSocketUrl } from './workerUrl.js';
import type { PythonBridgeOptions } from './options.js';
import type { PythonBridge } from './pythonBridge.js';
import { PythonStdioBridge } from './pythonStdioBridge.js';
import { WebsocketPythonBridge } from './websocketPythonBridge.js';

/**
 * WebSocket when `options.wsUrl ?? NODETOOL_WORKER_URL` is set (`ws://`, `wss://`, or a URL the
 * `locator` handles, a cloud instance resolved before every connect; token from `options.workerToken`,
 * a token file, or NODETOOL_WORKER_TOKEN / NODETOOL_WORKER_TOKEN_FILE; empty meaning none), a local
 * stdio worker otherwise. A setting that cannot work throws ConfigError naming it, before anything
 * starts: among them a TLS pin or CA for a plain ws:// URL, and a token bound for a public address
 * over plain ws://.
 */
export function createPythonBridge(options: PythonBridgeOptions = {}): PythonBridge {
  const env = options.env ?? process.env;
  const wsUrl = (options.wsUrl ?? oneWorkerUrl(env)).trim();
  if (wsUrl) {
    checkWorkerUrl(wsUrl, 'NODETOOL_WORKER_URL', options.locator);
    // The server's rules for a token (libs/settings): one of a token or a file, the file readable and not empty, 16 characters at least.
    const given =
      options.workerToken !== undefined || options.workerTokenFile !== undefined ? { token: options.workerToken, file: options.workerTokenFile } : {};
    const source = tokenSource(env, 'NODETOOL_WORKER_TOKEN', given);
    const workerToken = source?.kind === 'inline' ? source.token : '';
    const workerTokenFile = source?.kind === 'file' ? source.file : undefined;
    // A cloud instance's address is asked of its provider before every connect (it changes when the instance restarts).
    const resolveUrl = options.resolveUrl ?? (options.locator?.handles(wsUrl) ? options.locator.resolver(wsUrl, env) : undefined);
    if (!resolveUrl && !isSocketUrl(wsUrl)) throw new ConfigError('NODETOOL_WORKER_URL', `nothing resolves ${describeUrl(wsUrl)} to a worker address`);
    const fingerprint = options.tlsFingerprint ?? readSetting(env, 'NODETOOL_WORKER_TLS_FINGERPRINT');
    const tlsFingerprint = fingerprint?.trim() ? normalizeFingerprint(fingerprint) : undefined;
    const caFile = readSetting(env, 'NODETOOL_WORKER_CA');
    const ca = options.ca ?? caFromFile(caFile);
    if (tlsFingerprint) refuseTlsTrustWithoutTls(wsUrl, 'NODETOOL_WORKER_TLS_FINGERPRINT', 'a TLS fingerprint pin');
    if (ca) refuseTlsTrustWithoutTls(wsUrl, 'NODETOOL_WORKER_CA', 'a worker CA');
    const allowPlaintext = options.allowPlaintext ?? plaintextAllowedFromEnv(env);
    // An address written into the URL is known now: refuse before anything starts. A name is checked as it resolves.
    if (isSocketUrl(wsUrl) && (workerToken || workerTokenFile) && !allowPlaintext) {
      const parsed = new URL(wsUrl);
      const host = parsed.hostname.replace(/^\[|\]$/g, '');
      if (parsed.protocol === 'ws:' && isIP(host) && !isPrivateAddress(host)) throw plaintextRefusal(describeUrl(wsUrl), host);
    }
    return new WebsocketPythonBridge({ ...options, wsUrl, workerToken, workerTokenFile, resolveUrl, tlsFingerprint, ca, allowPlaintext });
  }
  return new PythonStdioBridge(options);
}

/** NODETOOL_WORKER_URL for one bridge: one URL (several are a pool, which the server runs), or none. */
function oneWorkerUrl(env: NodeJS.ProcessEnv): string {
  const urls = readSetting(env, 'NODETOOL_WORKER_URL');
  if (urls.length > 1)
    throw new ConfigError('NODETOOL_WORKER_URL', `NODETOOL_WORKER_URL names ${urls.length} workers; this takes one (the server runs several as a pool)`);
  return urls[0] ?? '';
}

/** A pin or a CA for a link that never uses TLS would be silently ignored: a configuration error instead. */
function refuseTlsTrustWithoutTls(url: string, setting: string, what: string): void {
  const tls = isSocketUrl(url) ? url.toLowerCase().startsWith('wss://') : ['1', 'true'].includes(new URL(url).searchParams.get('tls') ?? '');
  if (tls) return;
  throw new ConfigError(
    setting,
    `${what} (${setting}, or tls_fingerprint in a workers file) is set for ${describeUrl(url)}, which does not use TLS, so it would check nothing: ` +
      `use ${isSocketUrl(url) ? 'wss://' : '?tls=1'} or unset it`,
  );
}

/** NODETOOL_WORKER_CA: a PEM file of the CA (or the self-signed certificate) a wss:// worker's certificate must chain to. */
function caFromFile(file: string | undefined): string | undefined {
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      'NODETOOL_WORKER_CA',
      `cannot read the worker CA file ${file} (NODETOOL_WORKER_CA): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----'))
    throw new ConfigError('NODETOOL_WORKER_CA', `the worker CA file ${file} (NODETOOL_WORKER_CA) holds no PEM certificate`);
  return text;
}

/** Checks every setting a bridge would read (URL, token, limits) without connecting: throws ConfigError naming the bad one. */
export function checkBridgeOptions(options: PythonBridgeOptions = {}): void {
  createPythonBridge(options);
}
