import { readSetting } from '@nt/settings';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { describeUrl } from '../redact.js';
import { normalizeFingerprint } from '../transport/tlsPin.js';
import type { WorkerLocator } from '../workerLocator.js';
import { checkWorkerUrl, isSocketUrl } from '../workerUrl.js';

/** One worker of a pool, as configured. */
export interface WorkerSpec {
  /** How the worker is named in health, logs and run records: its URL without credentials. */
  id: string;
  url: string;
  /** Its own token, or its own token file; neither: NODETOOL_WORKER_TOKEN / _FILE. */
  token?: string;
  tokenFile?: string;
  labels: Record<string, string>;
  /** Runs at once on this worker (a GPU often takes one); unset: no limit of its own. */
  maxConcurrentRuns?: number;
  /** For wss:// to an address found by DNS: the name its certificate is checked against. */
  tlsServername?: string;
  /** For wss://: its own pinned certificate fingerprint (a rented worker's self-signed certificate). */
  tlsFingerprint?: string;
}

/** A DNS name that stands for every worker behind it (a Kubernetes headless Service, compose replicas). */
export interface DnsDiscoverySpec {
  /** The URL whose host is resolved; each address becomes a worker with its scheme, port and path. */
  url: string;
  host: string;
  intervalMs: number;
  /** A resolver to ask instead of the system's (`host:port`), for tests and split-horizon set-ups. */
  server?: string;
  /** The shared settings every discovered worker gets. */
  maxConcurrentRuns?: number;
  tokenFile?: string;
}

/** What the environment says about the workers: a fixed list, a DNS name to follow, or neither (a local worker process). */
export interface WorkerPoolConfig {
  workers: WorkerSpec[];
  discovery: DnsDiscoverySpec | null;
}

const FILE_KEYS = new Set(['url', 'token', 'token_file', 'labels', 'max_concurrent_runs', 'tls_fingerprint']);

/**
 * Reads NODETOOL_WORKER_URL (one URL, or several comma-separated, one token for all),
 * NODETOOL_WORKERS_FILE (JSON or YAML: each worker with its own URL, token or token file, labels and
 * max_concurrent_runs, tls_fingerprint), NODETOOL_WORKER_DISCOVERY=dns (the one URL's host stands for every address it
 * resolves to, re-resolved every NODETOOL_WORKER_DISCOVERY_INTERVAL_MS) and
 * NODETOOL_WORKER_MAX_CONCURRENT_RUNS (the default limit of every worker). URLs of cloud instances are
 * accepted when `locator` handles them. Every mistake is a ConfigError naming the setting, the file
 * and the entry.
 */
export function workerPoolFromEnv(env: NodeJS.ProcessEnv = process.env, locator?: WorkerLocator): WorkerPoolConfig {
  const urls = readSetting(env, 'NODETOOL_WORKER_URL');
  const file = readSetting(env, 'NODETOOL_WORKERS_FILE');
  const discovery = readSetting(env, 'NODETOOL_WORKER_DISCOVERY');
  const defaultLimit = readSetting(env, 'NODETOOL_WORKER_MAX_CONCURRENT_RUNS');
  if (file && urls.length)
    throw new ConfigError('NODETOOL_WORKERS_FILE', 'both NODETOOL_WORKERS_FILE and NODETOOL_WORKER_URL are set: list the workers in one place');

  if (discovery === 'dns') {
    if (urls.length !== 1 || file) {
      throw new ConfigError(
        'NODETOOL_WORKER_DISCOVERY',
        'NODETOOL_WORKER_DISCOVERY=dns takes exactly one NODETOOL_WORKER_URL, whose host name stands for every worker',
      );
    }
    const url = checkWorkerUrl(urls[0] as string, 'NODETOOL_WORKER_URL', locator);
    if (!isSocketUrl(url))
      throw new ConfigError(
        'NODETOOL_WORKER_DISCOVERY',
        `NODETOOL_WORKER_DISCOVERY=dns needs a ws:// or wss:// name to resolve; ${describeUrl(url)} is found through its provider`,
      );
    const host = new URL(url).hostname;
    if (isIpLiteral(host))
      throw new ConfigError(
        'NODETOOL_WORKER_DISCOVERY',
        `NODETOOL_WORKER_DISCOVERY=dns needs a host name to resolve, and ${describeUrl(url)} names an address`,
      );
    return {
      workers: [],
      discovery: {
        url,
        host,
        intervalMs: readSetting(env, 'NODETOOL_WORKER_DISCOVERY_INTERVAL_MS'),
        server: readSetting(env, 'NODETOOL_WORKER_DNS_SERVER'),
        maxConcurrentRuns: defaultLimit,
      },
    };
  }
  const workers = file
    ? readWorkersFile(file, defaultLimit, locator)
    : urls.map((url) => spec(checkWorkerUrl(url, 'NODETOOL_WORKER_URL', locator), {}, defaultLimit));
  const seen = new Set<string>();
  for (const worker of workers) {
    if (seen.has(worker.id)) throw new ConfigError(file ? 'NODETOOL_WORKERS_FILE' : 'NODETOOL_WORKER_URL', `the worker ${worker.id} is listed twice`);
    seen.add(worker.id);
  }
  return { workers, discovery: null };
}

/** The workers a DNS answer stands for: the discovery URL with each address as its host. */
export function workersAt(discovery: DnsDiscoverySpec, addresses: string[]): WorkerSpec[] {
  const base = new URL(discovery.url);
  const rest = `${base.port ? `:${base.port}` : ''}${base.pathname === '/' ? '' : base.pathname}${base.search}`;
  return addresses.map((address) => {
    const found = spec(`${base.protocol}//${address.includes(':') ? `[${address}]` : address}${rest}`, {}, discovery.maxConcurrentRuns);
    // The certificate names the service, not the address.
    if (base.protocol === 'wss:') found.tlsServername = discovery.host;
    return found;
  });
}

function readWorkersFile(path: string, defaultLimit: number | undefined, locator: WorkerLocator | undefined): WorkerSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      'NODETOOL_WORKERS_FILE',
      `cannot read NODETOOL_WORKERS_FILE ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let document: unknown;
  try {
    document = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      'NODETOOL_WORKERS_FILE',
      `${path} is not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  const list = Array.isArray(document) ? document : (document as { workers?: unknown } | null)?.workers;
  if (!Array.isArray(list) || list.length === 0)
    throw new ConfigError('NODETOOL_WORKERS_FILE', `${path} must list workers: a "workers:" list of {url, token or token_file, labels, max_concurrent_runs}`);
  return list.map((entry, index) => {
    const where = `${path}, worker ${index + 1}`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      throw new ConfigError('NODETOOL_WORKERS_FILE', `${where}: expected an object with a "url"`);
    const record = entry as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!FILE_KEYS.has(key)) throw new ConfigError('NODETOOL_WORKERS_FILE', `${where}: unknown key "${key}" (known: ${[...FILE_KEYS].join(', ')})`);
    }
    if (typeof record['url'] !== 'string') throw new ConfigError('NODETOOL_WORKERS_FILE', `${where}: "url" must be a worker URL`);
    const url = checkWorkerUrl(record['url'], `NODETOOL_WORKERS_FILE (${where})`, locator);
    if (record['token'] !== undefined && record['token_file'] !== undefined)
      throw new ConfigError('NODETOOL_WORKERS_FILE', `${where}: set "token" or "token_file", not both`);
    for (const key of ['token', 'token_file'] as const) {
      if (record[key] !== undefined && (typeof record[key] !== 'string' || !record[key]))
        throw new ConfigError('NODETOOL_WORKERS_FILE', `${where}: "${key}" must be a non-empty string`);
    }
    const labels = record['labels'] ?? {};
    if (labels === null || typeof labels !== 'object' || Array.isArray(labels) || Object.values(labels).some((value) => typeof value !== 'string')) {
      throw new ConfigError('NODETOOL_WORKERS_FILE', `${where}: "labels" must map names to strings`);
    }
    const limit = record['max_concurrent_runs'];
    if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) > 0)) {
      throw new ConfigError('NODETOOL_WORKERS_FILE', `${where}: "max_concurrent_runs" must be a whole number above 0`);
    }
    const pin = record['tls_fingerprint'];
    if (pin !== undefined && typeof pin !== 'string') throw new ConfigError('NODETOOL_WORKERS_FILE', `${where}: "tls_fingerprint" must be a string`);
    if (pin !== undefined && !usesTls(url))
      throw new ConfigError(
        'NODETOOL_WORKERS_FILE',
        `${where}: "tls_fingerprint" is set for ${describeUrl(url)}, which does not use TLS, so it would check nothing: use wss:// (or ?tls=1) or remove it`,
      );
    const worker = spec(
      url,
      { token: record['token'] as string | undefined, tokenFile: record['token_file'] as string | undefined, labels: labels as Record<string, string> },
      (limit as number | undefined) ?? defaultLimit,
    );
    if (pin) worker.tlsFingerprint = normalizeFingerprint(pin, `NODETOOL_WORKERS_FILE (${where}: "tls_fingerprint")`);
    return worker;
  });
}

function spec(url: string, extra: Partial<Pick<WorkerSpec, 'token' | 'tokenFile' | 'labels'>>, maxConcurrentRuns: number | undefined): WorkerSpec {
  const worker: WorkerSpec = { id: describeUrl(url), url, labels: extra.labels ?? {} };
  if (extra.token) worker.token = extra.token;
  if (extra.tokenFile) worker.tokenFile = extra.tokenFile;
  if (maxConcurrentRuns !== undefined) worker.maxConcurrentRuns = maxConcurrentRuns;
  return worker;
}

function usesTls(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'wss:' || (parsed.protocol !== 'ws:' && ['1', 'true'].includes(parsed.searchParams.get('tls') ?? ''));
}

function isIpLiteral(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':') || host.startsWith('[');
}
