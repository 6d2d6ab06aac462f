import { DnsDiscovery, workerPoolFromEnv, type PythonBridgeOptions, type WorkerSpec } from '@nt/bridge';
import { PROVIDERS, providerLocator } from '@nt/providers';
import type { Io } from './io.js';

/** The flags every command that talks to a worker accepts (parseArgs option specs). */
export const WORKER_FLAG_OPTIONS = {
  'worker-url': { type: 'string' },
  'token-file': { type: 'string' },
  'worker-token': { type: 'string' },
} as const;

export const WORKER_FLAGS_HELP = `Worker: --worker-url URL (else NODETOOL_WORKER_URL, or the first of NODETOOL_WORKERS_FILE; unset: a local worker process)
        ws://, wss://, or a rented instance: ${PROVIDERS.map((provider) => `${provider.name}://ID (${provider.keyVariable})`).join(', ')}, [?port=7777&tls=1]
        --token-file FILE (else NODETOOL_WORKER_TOKEN_FILE, or NODETOOL_WORKER_TOKEN)
        wss:// trusts NODETOOL_WORKER_CA (a PEM file) or the pin NODETOOL_WORKER_TLS_FINGERPRINT (SHA-256, as the worker logs it)
        --worker-token TOKEN works too, but any user of this machine can read it in \`ps\`.`;

/**
 * Bridge options from the flags. A token on the command line still works but is visible to every user
 * of the machine (`ps`, shell history), so it earns a warning; the file and the environment do not.
 */
export function bridgeOptionsFromFlags(
  values: { 'worker-url'?: string; 'token-file'?: string; 'worker-token'?: string; token?: string; url?: string },
  io: Io,
): PythonBridgeOptions {
  const token = values['worker-token'] ?? values.token;
  if (token !== undefined) {
    io.err('nodetool: warning: a token given on the command line is visible to other users in `ps`; use NODETOOL_WORKER_TOKEN or --token-file');
  }
  const url = values['worker-url'] ?? values.url;
  if (url === undefined) {
    // A pool is configured (several URLs, a workers file): a one-worker command takes the first.
    const pool = workerPoolFromEnv(process.env, providerLocator);
    const first = pool.workers[0];
    if (first && pool.workers.length > 1) io.err(`nodetool: note: ${pool.workers.length} workers are configured; this command uses the first, ${first.id}`);
    if (first) return withToken({ wsUrl: first.url, workerToken: token, workerTokenFile: values['token-file'], locator: providerLocator }, first);
  }
  return { wsUrl: url, workerToken: token, workerTokenFile: values['token-file'], locator: providerLocator };
}

/**
 * Every worker a command that checks them all should check: the --worker-url given, else the pool the
 * environment configures (NODETOOL_WORKER_URL with one or several URLs, NODETOOL_WORKERS_FILE, or a DNS
 * name resolved now), else null: one local worker process.
 */
export async function workersFromFlags(
  values: { 'worker-url'?: string; 'token-file'?: string; 'worker-token'?: string; token?: string; url?: string },
  io: Io,
): Promise<Array<{ id: string; options: PythonBridgeOptions }> | null> {
  const flagged = values['worker-url'] ?? values.url;
  if (flagged !== undefined) return [{ id: flagged, options: bridgeOptionsFromFlags(values, io) }];
  const token = values['worker-token'] ?? values.token;
  if (token !== undefined)
    io.err('nodetool: warning: a token given on the command line is visible to other users in `ps`; use NODETOOL_WORKER_TOKEN or --token-file');
  const pool = workerPoolFromEnv(process.env, providerLocator);
  let specs = pool.workers;
  if (pool.discovery) {
    const discovery = new DnsDiscovery(pool.discovery);
    discovery.on('error', (message) => io.err(`nodetool: ${message}`));
    await discovery.refresh();
    specs = discovery.workers;
    if (!specs.length) io.err(`nodetool: ${pool.discovery.host} resolves to no address: no worker to check`);
  }
  if (!specs.length && !pool.discovery) return null;
  return specs.map((spec) => ({
    id: spec.id,
    options: withToken({ wsUrl: spec.url, workerToken: token, workerTokenFile: values['token-file'], locator: providerLocator }, spec),
  }));
}

/** A worker's own token or token file (from a workers file) wins over the shared one. */
function withToken(options: PythonBridgeOptions, spec: WorkerSpec): PythonBridgeOptions {
  const own = spec.token !== undefined || spec.tokenFile !== undefined;
  return {
    ...options,
    ...(own ? { workerToken: spec.token ?? '', workerTokenFile: spec.tokenFile ?? '' } : {}),
    ...(spec.tlsServername ? { tlsServername: spec.tlsServername } : {}),
    ...(spec.tlsFingerprint ? { tlsFingerprint: spec.tlsFingerprint } : {}),
  };
}
