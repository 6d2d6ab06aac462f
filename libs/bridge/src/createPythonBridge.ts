import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';
import { normalizeFingerprint } from './transport/tlsPin.js';
import { checkWorkerUrl } from './workerUrl.js';
import { isProviderUrl } from './providers/providerAddress.js';
import { providerResolver } from './providers/providerResolver.js';
import type { PythonBridgeOptions } from './options.js';
import type { PythonBridge } from './pythonBridge.js';
import { PythonStdioBridge } from './pythonStdioBridge.js';
import { WebsocketPythonBridge } from './websocketPythonBridge.js';

/**
 * WebSocket when `options.wsUrl ?? NODETOOL_WORKER_URL` is set (`ws://`, `wss://`, or a cloud instance:
 * `runpod://<podId>`, `vast://<instanceId>`, resolved through the provider's API before every connect; token from `options.workerToken`, a
 * token file, or NODETOOL_WORKER_TOKEN / NODETOOL_WORKER_TOKEN_FILE; empty meaning none), a local stdio
 * worker otherwise. A setting that cannot work throws ConfigError naming it, before anything starts.
 */
export function createPythonBridge(options: PythonBridgeOptions = {}): PythonBridge {
  const env = options.env ?? process.env;
  const wsUrl = (options.wsUrl ?? env['NODETOOL_WORKER_URL'] ?? '').trim();
  if (wsUrl) {
    checkWorkerUrl(wsUrl);
    const workerTokenFile = options.workerTokenFile ?? (env['NODETOOL_WORKER_TOKEN_FILE'] || undefined);
    const workerToken = options.workerToken ?? env['NODETOOL_WORKER_TOKEN'] ?? '';
    if (workerTokenFile && workerToken) {
      throw new ConfigError(
        'NODETOOL_WORKER_TOKEN_FILE',
        'both a worker token and a worker token file are set (NODETOOL_WORKER_TOKEN / NODETOOL_WORKER_TOKEN_FILE, --token / --token-file): set one',
      );
    }
    // A cloud instance's address is asked of its provider before every connect (it changes when the instance restarts).
    const resolveUrl = options.resolveUrl ?? (isProviderUrl(wsUrl) ? providerResolver(wsUrl, { env }) : undefined);
    const fingerprint = options.tlsFingerprint ?? env['NODETOOL_WORKER_TLS_FINGERPRINT'];
    const tlsFingerprint = fingerprint?.trim() ? normalizeFingerprint(fingerprint) : undefined;
    const ca = options.ca ?? caFromFile(env['NODETOOL_WORKER_CA']?.trim());
    return new WebsocketPythonBridge({ ...options, wsUrl, workerToken, workerTokenFile, resolveUrl, tlsFingerprint, ca });
  }
  return new PythonStdioBridge(options);
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
