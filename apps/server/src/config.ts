import { bucketOf, databaseTargetFromEnv, folderBucketOf, type DatabaseTarget, type S3Settings } from '@nt/data';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, createPythonBridge, isLoopbackHost, workerPoolFromEnv, type PythonBridgeOptions, type WorkerPoolConfig } from '@nt/bridge';
import { providerLocator } from '@nt/providers';
import { readSetting, readToken } from '@nt/settings';
import type { AssetLimits } from './assets/assetStore.js';
import { parseRetention, type RetentionPolicy } from './store/retention.js';
import { parseTrustProxy, type TrustProxy } from './security/trustProxy.js';
import { bridgeOptionsFor } from './workers/bridgeOptionsFor.js';
import {
  DEFAULT_GRAPH_LIMITS,
  fetchPolicyFromEnv,
  InvalidKeepAliveError,
  keepAliveFromEnv,
  secretPolicyFromEnv,
  type FetchPolicy,
  type GraphLimits,
  type KeepAliveMs,
  type SecretPolicy,
} from '@nt/runtime';

export interface ServerConfig {
  host: string;
  port: number;
  /** The database: the SQLite file at NODETOOL_DB (':memory:' for a throwaway server), or Postgres at DATABASE_URL. */
  database: DatabaseTarget;
  /** Where the server keeps files beside its database (assets, rented workers' tokens); null: a temporary folder each start. */
  dataDir: string | null;
  /** NODETOOL_RUN_LEASE_SECONDS, in ms: with Postgres, how long a replica holds its runs and its leadership unrenewed. */
  runLeaseMs: number;
  /** NODETOOL_SECRETS_KEY_FILE: the key rented workers' tokens are sealed with; `create`: made at first start (one server, SQLite). Null: none (nothing is rented). */
  secretsKey: { file: string; create: boolean } | null;
  /** Built web UI to serve at /, or null. */
  webRoot: string | null;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** NODETOOL_SERVER_TOKEN: when set, every API call and the WebSocket need it. Kept in memory only. */
  serverToken: string | null;
  /** NODETOOL_SESSION_DAYS: how long a browser login lasts, on the server. */
  sessionDays: number;
  /** NODETOOL_ALLOWED_HOSTS, beyond loopback and the bound host. */
  allowedHosts: string[];
  /** NODETOOL_ALLOWED_ORIGINS, beyond the server's own. */
  allowedOrigins: string[];
  /** NODETOOL_TRUST_PROXY: Fastify's trustProxy (false, a hop count, or the proxies' addresses). */
  trustProxy: TrustProxy;
  graphLimits: GraphLimits;
  /** Runs at once; more wait in a FIFO queue. */
  maxConcurrentRuns: number;
  /** Runs that may wait; more are refused with 429. */
  maxQueuedRuns: number;
  /** A WebSocket client with more than this queued (it stopped reading) is dropped. */
  wsMaxBufferedBytes: number;
  /** Streams: items a record keeps per streamed output, what items waiting at an input may take in memory, the events kept per run for reconnects. */
  streams: { maxRecordedItems: number; queueBytes: number; eventBuffer: { events: number; bytes: number } };
  /** How a workflow's media URLs are fetched (NODETOOL_FETCH_ALLOW_HOSTS, NODETOOL_FETCH_TIMEOUT_MS, NODETOOL_MAX_ASSET_BYTES). */
  fetchPolicy: FetchPolicy;
  /** How long SIGTERM waits for runs in flight before it marks them failed and exits. */
  shutdownTimeoutMs: number;
  /** Log level, format and whether each HTTP request gets a line (NODETOOL_LOG_*). */
  logging: { level: string; format: 'auto' | 'json' | 'pretty'; requests: boolean };
  /** NODETOOL_METRICS_PORT: /metrics also on 127.0.0.1:port without the token; null: only on the main port. */
  metricsPort: number | null;
  /** NODETOOL_REQUIRE_WORKER: /ready waits for a connected worker. */
  requireWorker: boolean;
  /** NODETOOL_WORKERS_AUTOSCALED: a cluster's autoscaler brings workers for the queue. */
  workersAutoscaled: boolean;
  secretPolicy: SecretPolicy;
  /** NODETOOL_MODEL_KEEP_ALIVE: how long a run's models stay loaded after it, unless the run says otherwise. */
  modelKeepAliveMs: KeepAliveMs;
  /** What every worker's bridge starts from (the environment's token settings, limits). */
  bridgeOptions: PythonBridgeOptions;
  /** The workers: NODETOOL_WORKER_URL (one or several), NODETOOL_WORKERS_FILE or DNS discovery; none: a local worker process. */
  workerPool: WorkerPoolConfig;
  /** NODETOOL_WORKER_WAIT_MS: how long a queued run waits while no connected worker offers its nodes. */
  workerWaitMs: number;
  /** Retry delays while the worker cannot be reached at all (initial connect). */
  workerRetry: { initialDelayMs: number; maxDelayMs: number };
  /** Tests only, never from the environment: an error status a route does not declare answers 500, naming it. */
  strictContract?: boolean;
  /** Renting workers: the cost guard's and the reconciler's intervals, what to do with orphans, how long a new instance may take. */
  renting: {
    guardIntervalMs: number;
    reconcileIntervalMs: number;
    orphans: 'report' | 'stop';
    bootTimeoutMs: number;
    /** NODETOOL_RENT_MAX_INSTANCES: live rented instances at once, across profiles (default 4). */
    maxInstances: number;
    /** NODETOOL_RENT_MAX_SPEND_PER_DAY (USD, a UTC day). */
    maxSpendPerDay: number;
    /** NODETOOL_RENT_MAX_FAILED_BRINGUPS (per profile, per hour). */
    maxFailedBringUps: number;
    /** NODETOOL_RENT_WAIT_TIMEOUT, in ms: how long a run waits for a scaled group's worker. */
    waitTimeoutMs: number;
    /** NODETOOL_SCALE_INTERVAL_MS */
    scaleIntervalMs: number;
    env: NodeJS.ProcessEnv;
  };
  /** NODETOOL_LOCAL_WORKER=0: with no worker configured, start none (a server that uses only rented workers). */
  localWorker: boolean;
  /** Binary results and uploads: where they are kept (a folder by default) and how large they may be. */
  assets: {
    dir: string | null;
    limits: AssetLimits;
    /** NODETOOL_ASSET_SERVE: from a bucket, `redirect` to a presigned URL or `stream` through the server. */
    serve: 'redirect' | 'stream';
    /** NODETOOL_ASSET_URL_TTL_SECONDS: how long a presigned URL (a redirect, an input for a worker) works. */
    urlTtlSeconds: number;
    /** ASSET_BUCKET and the S3_* settings: the bucket new assets go to, or null for the folder. */
    s3: S3Settings | null;
    /** NODETOOL_ASSETS_SHARED: the folder is one every replica mounts. */
    shared: boolean;
    /** NODETOOL_RETENTION, and how often it sweeps. */
    retention: RetentionPolicy | null;
    retentionIntervalMs: number;
  };
}

/**
 * Reads and checks every setting the server uses. A value that cannot work is a ConfigError naming the
 * variable; nothing is started before all of them are fine.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const host = readSetting(env, 'HOST');
  const serverToken = readToken(env, 'NODETOOL_SERVER_TOKEN');
  if (!isLoopbackHost(host) && !serverToken) {
    throw new ConfigError(
      'NODETOOL_SERVER_TOKEN',
      `HOST=${host} makes the server reachable beyond this machine, and anyone who reaches it could run workflows: ` +
        'set NODETOOL_SERVER_TOKEN (for example `openssl rand -hex 32`) or bind HOST=127.0.0.1',
    );
  }
  // Workers named by their cloud instance (runpod://, vast://) are found through the providers' registry.
  const workerPool = workerPoolFromEnv(env, providerLocator);
  // The workers come from workerPool; the environment still gives the shared token and the bridge limits.
  const bridgeOptions: PythonBridgeOptions = { env: { ...env, NODETOOL_WORKER_URL: '' }, locator: providerLocator };
  // Validates the token settings and the bridge limits of every worker now, before anything starts.
  for (const spec of workerPool.workers.length ? workerPool.workers : [{ id: 'local', url: workerPool.discovery?.url ?? '', labels: {} }]) {
    createPythonBridge(bridgeOptionsFor(spec, bridgeOptions));
  }
  return {
    host,
    port: readSetting(env, 'PORT'),
    ...databaseOf(env),
    webRoot: readSetting(env, 'NODETOOL_WEB_ROOT') || defaultWebRoot(),
    maxBodyBytes: readSetting(env, 'NODETOOL_MAX_BODY_BYTES'),
    serverToken,
    sessionDays: readSetting(env, 'NODETOOL_SESSION_DAYS'),
    allowedHosts: readSetting(env, 'NODETOOL_ALLOWED_HOSTS'),
    allowedOrigins: readSetting(env, 'NODETOOL_ALLOWED_ORIGINS').map((origin) => checkOrigin(origin)),
    trustProxy: parseTrustProxy(readSetting(env, 'NODETOOL_TRUST_PROXY')),
    graphLimits: {
      maxNodes: readSetting(env, 'NODETOOL_MAX_GRAPH_NODES'),
      maxEdges: readSetting(env, 'NODETOOL_MAX_GRAPH_EDGES'),
      maxNameLength: DEFAULT_GRAPH_LIMITS.maxNameLength,
    },
    maxConcurrentRuns: readSetting(env, 'NODETOOL_MAX_CONCURRENT_RUNS'),
    maxQueuedRuns: readSetting(env, 'NODETOOL_MAX_QUEUED_RUNS'),
    wsMaxBufferedBytes: readSetting(env, 'NODETOOL_WS_MAX_BUFFERED_BYTES'),
    streams: {
      maxRecordedItems: readSetting(env, 'NODETOOL_MAX_RECORDED_ITEMS'),
      queueBytes: readSetting(env, 'NODETOOL_STREAM_QUEUE_BYTES'),
      eventBuffer: { events: readSetting(env, 'NODETOOL_RUN_EVENT_BUFFER'), bytes: readSetting(env, 'NODETOOL_RUN_EVENT_BUFFER_BYTES') },
    },
    fetchPolicy: fetchPolicyFromEnv(env),
    shutdownTimeoutMs: readSetting(env, 'NODETOOL_SHUTDOWN_TIMEOUT_MS'),
    logging: {
      level: readSetting(env, 'NODETOOL_LOG_LEVEL'),
      format: readSetting(env, 'NODETOOL_LOG_FORMAT'),
      requests: readSetting(env, 'NODETOOL_LOG_REQUESTS'),
    },
    metricsPort: readSetting(env, 'NODETOOL_METRICS_PORT') ?? null,
    requireWorker: readSetting(env, 'NODETOOL_REQUIRE_WORKER'),
    workersAutoscaled: readSetting(env, 'NODETOOL_WORKERS_AUTOSCALED'),
    secretPolicy: secretPolicyFromEnv(env),
    modelKeepAliveMs: modelKeepAlive(env),
    bridgeOptions,
    workerPool,
    workerWaitMs: readSetting(env, 'NODETOOL_WORKER_WAIT_MS'),
    workerRetry: { initialDelayMs: 1_000, maxDelayMs: 30_000 },
    localWorker: readSetting(env, 'NODETOOL_LOCAL_WORKER'),
    assets: {
      dir: readSetting(env, 'NODETOOL_ASSETS_DIR') ?? folderBucketOf(env),
      limits: {
        assetBytes: readSetting(env, 'NODETOOL_MAX_ASSET_BYTES'),
        runBytes: readSetting(env, 'NODETOOL_MAX_RUN_ASSET_BYTES'),
        uploadBytes: readSetting(env, 'NODETOOL_MAX_UPLOAD_BYTES'),
        inlineMaxBytes: readSetting(env, 'NODETOOL_ASSET_INLINE_MAX_BYTES'),
        offloadMinBytes: readSetting(env, 'NODETOOL_OFFLOAD_MIN_BYTES'),
      },
      serve: readSetting(env, 'NODETOOL_ASSET_SERVE'),
      s3: bucketOf(env),
      shared: readSetting(env, 'NODETOOL_ASSETS_SHARED'),
      retention: retentionOf(env),
      retentionIntervalMs: readSetting(env, 'NODETOOL_RETENTION_INTERVAL_MS'),
      urlTtlSeconds: readSetting(env, 'NODETOOL_ASSET_URL_TTL_SECONDS'),
    },
    renting: rentingOf(env),
  };
}

function rentingOf(env: NodeJS.ProcessEnv): ServerConfig['renting'] {
  return {
    guardIntervalMs: readSetting(env, 'NODETOOL_COST_GUARD_INTERVAL_MS'),
    reconcileIntervalMs: readSetting(env, 'NODETOOL_RECONCILE_INTERVAL_MS'),
    orphans: readSetting(env, 'NODETOOL_RENT_ORPHANS'),
    bootTimeoutMs: readSetting(env, 'NODETOOL_RENT_BOOT_TIMEOUT_MS'),
    maxInstances: readSetting(env, 'NODETOOL_RENT_MAX_INSTANCES'),
    maxSpendPerDay: readSetting(env, 'NODETOOL_RENT_MAX_SPEND_PER_DAY'),
    maxFailedBringUps: readSetting(env, 'NODETOOL_RENT_MAX_FAILED_BRINGUPS'),
    waitTimeoutMs: readSetting(env, 'NODETOOL_RENT_WAIT_TIMEOUT') * 1000,
    scaleIntervalMs: readSetting(env, 'NODETOOL_SCALE_INTERVAL_MS'),
    env,
  };
}

/** NODETOOL_SERVER_TOKEN, or the file NODETOOL_SERVER_TOKEN_FILE names (never both). */
function modelKeepAlive(env: NodeJS.ProcessEnv): KeepAliveMs {
  try {
    return keepAliveFromEnv(env);
  } catch (error) {
    if (error instanceof InvalidKeepAliveError) throw new ConfigError('NODETOOL_MODEL_KEEP_ALIVE', error.message);
    throw error;
  }
}

function checkOrigin(origin: string): string {
  const parsed = URL.canParse(origin) ? new URL(origin) : null;
  if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) {
    throw new ConfigError(
      'NODETOOL_ALLOWED_ORIGINS',
      `NODETOOL_ALLOWED_ORIGINS entries must be origins like http://localhost:5173, got ${JSON.stringify(origin)}`,
    );
  }
  return parsed.origin;
}

/** apps/web/dist of this checkout, when it has been built. */
function defaultWebRoot(): string | null {
  const candidate = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');
  return existsSync(join(candidate, 'index.html')) ? candidate : null;
}

function retentionOf(env: NodeJS.ProcessEnv): RetentionPolicy | null {
  const text = readSetting(env, 'NODETOOL_RETENTION');
  if (!text) return null;
  const policy = parseRetention(text);
  if (!policy)
    throw new ConfigError(
      'NODETOOL_RETENTION',
      `NODETOOL_RETENTION must be an age (30d, 12h, 45m) or a number of runs to keep (1000), got ${JSON.stringify(text)}`,
    );
  return policy;
}

/** DATABASE_URL or NODETOOL_DB, and where the files beside it go (with Postgres, the data folder a SQLite file would be in). */
function databaseOf(env: NodeJS.ProcessEnv): Pick<ServerConfig, 'database' | 'dataDir' | 'runLeaseMs' | 'secretsKey'> {
  const database = databaseTargetFromEnv(env);
  const runLeaseMs = readSetting(env, 'NODETOOL_RUN_LEASE_SECONDS') * 1000;
  const keyFile = readSetting(env, 'NODETOOL_SECRETS_KEY_FILE');
  if (database.kind === 'postgres')
    return {
      database,
      runLeaseMs,
      // Replicas must share the key: none is made up here.
      secretsKey: keyFile ? { file: keyFile, create: false } : null,
      dataDir: join(env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share'), 'nodetool'),
    };
  const dataDir = database.path === ':memory:' ? null : dirname(database.path);
  const made = dataDir === null ? null : { file: join(dataDir, 'secrets.key'), create: true };
  return { database, runLeaseMs, dataDir, secretsKey: keyFile ? { file: keyFile, create: false } : made };
}
