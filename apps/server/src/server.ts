import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { App } from './app.js';
import type { ServerConfig } from './config.js';
import { buildHttpServer } from './http/buildHttpServer.js';
import { JobManager } from './jobs/jobManager.js';
import { RunEventLog } from './jobs/runEventLog.js';
import { PoolModels } from './models/poolModels.js';
import { CostGuardLoop } from './rented/costGuardLoop.js';
import { RentedStore } from './rented/rentedStore.js';
import { RentedWorkers } from './rented/rentedWorkers.js';
import { createHostPolicy } from './security/hostPolicy.js';
import { ServerToken } from './security/serverToken.js';
import { SessionStore } from './security/sessions.js';
import { AssetStore } from './assets/assetStore.js';
import { LocalAssetBackend } from './assets/localAssetBackend.js';
import { S3AssetBackend } from './assets/s3AssetBackend.js';
import { openDatabase, type Db } from './store/database.js';
import { JobStore } from './store/jobStore.js';
import { Retention } from './store/retention.js';
import { WorkflowStore } from './store/workflowStore.js';
import { WorkerPool } from './workers/workerPool.js';
import { WsHub } from './ws/wsHub.js';
import { silentLogger, type Logger } from './observability/logger.js';
import { RunLog } from './observability/runLog.js';
import { ServerMetrics } from './observability/serverMetrics.js';
import { serveMetricsOnLoopback } from './observability/metricsPort.js';

/** How old an unfinished multipart upload to the bucket is before the server aborts it at start. */
const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;

export interface RunningServer {
  url: string;
  app: App;
  /** Stops taking work, cancels runs in flight, waits for them up to the shutdown timeout, then closes. */
  close(): Promise<void>;
}

/**
 * Opens the database, starts the pool of workers (the server runs whether or
 * not any worker is up) and listens. Resolves once listening.
 */
export async function startServer(config: ServerConfig, logger: Logger = silentLogger()): Promise<RunningServer> {
  const log = (line: string) => logger.info(line);
  // Next to the database (a throwaway one: a temporary directory), unless NODETOOL_ASSETS_DIR says where.
  const assetsDir = config.assets.dir ?? (config.dbPath === ':memory:' ? mkdtempSync(join(tmpdir(), 'nt-assets-')) : join(dirname(config.dbPath), 'assets'));
  const localAssets = new LocalAssetBackend(assetsDir);
  const swept = await localAssets.sweepTemporary();
  if (swept) log(`removed ${swept} unfinished asset file(s) a previous process left`);
  // With a bucket, new assets go there; the folder stays readable for the ones kept before.
  const bucket = config.assets.s3 ? new S3AssetBackend(config.assets.s3) : null;
  // Uploads a day old belong to no live process (a grant lives minutes; a server's own upload, hours at most).
  void bucket
    ?.abortStaleUploads(new Date(Date.now() - STALE_UPLOAD_MS))
    .then((aborted) => aborted && log(`aborted ${aborted} unfinished upload(s) to the bucket a previous process left`))
    .catch((error: Error) => log(`could not list unfinished uploads in the bucket: ${error.message}`));
  const assetsOver = (db: Db) =>
    new AssetStore(db, {
      backend: bucket ?? localAssets,
      backends: bucket ? [localAssets, bucket] : [localAssets],
      tmpDir: localAssets.tmpDir,
      limits: config.assets.limits,
      urlTtlSeconds: config.assets.urlTtlSeconds,
    });
  const db = await openDatabase(config.dbPath, { assets: assetsOver });
  const assets = assetsOver(db);
  const jobs = new JobStore(db);
  const interrupted = jobs.interruptLeftovers();
  if (interrupted) log(`marked ${interrupted} run(s) left over from a previous process as interrupted`);
  const workers = new WorkerPool(config.workerPool, config.bridgeOptions, {
    retry: config.workerRetry,
    defaultKeepAliveMs: config.modelKeepAliveMs,
    secretPolicy: config.secretPolicy,
    localWorker: config.localWorker,
    log,
  });
  const models = new PoolModels(workers, config.modelKeepAliveMs);
  const rented = new RentedWorkers(new RentedStore(db), workers, {
    env: config.renting.env,
    // Next to the database (a throwaway one: a temporary directory), readable by this user only.
    tokenDir: config.dbPath === ':memory:' ? mkdtempSync(join(tmpdir(), 'nt-rented-')) : join(dirname(config.dbPath), 'rented-workers'),
    bootTimeoutMs: config.renting.bootTimeoutMs,
    maxInstances: config.renting.maxInstances,
    log,
  });
  const guard = new CostGuardLoop(rented, workers, {
    env: config.renting.env,
    intervalMs: config.renting.guardIntervalMs,
    reconcileIntervalMs: config.renting.reconcileIntervalMs,
    orphans: config.renting.orphans,
    queuedRuns: () => app.runs.queuedCount,
    log,
  });
  const serverToken = config.serverToken ? new ServerToken(config.serverToken) : null;
  const app: App = {
    config,
    workflows: new WorkflowStore(db),
    jobs,
    runs: new JobManager(jobs, workers, {
      maxConcurrentRuns: config.maxConcurrentRuns,
      maxQueuedRuns: config.maxQueuedRuns,
      secretPolicy: config.secretPolicy,
      defaultKeepAliveMs: config.modelKeepAliveMs,
      workerWaitMs: config.workerWaitMs,
      wakeWorkers: () => guard.wakeForRun(),
      assets,
      streams: { maxRecordedItems: config.streams.maxRecordedItems, queueBytes: config.streams.queueBytes },
      fetchPolicy: config.fetchPolicy,
      events: new RunEventLog(config.streams.eventBuffer),
      onRunStarted: (workerId) => {
        try {
          rented.touch(workerId);
        } catch (error) {
          // The idle clock is the guard's business; a run never fails for it.
          log(`cost guard: could not note the run on ${workerId}: ${(error as Error).message}`);
        }
      },
      log,
    }),
    workers,
    models,
    rented,
    assets,
    guard,
    startedAt: Date.now(),
    hostPolicy: createHostPolicy(config.host, config.allowedHosts, config.allowedOrigins),
    serverToken,
    sessions: serverToken ? new SessionStore(db, serverToken, config.sessionDays * 24 * 3600 * 1000) : null,
    metrics: new ServerMetrics({
      runsQueued: () => app.runs.queuedCount,
      runsRunning: () => app.runs.runningCount,
      workers: () => workers.members(),
      rented: () => rented.list(),
      assets: () => assets.records.totals(),
    }),
    notReady: () => {
      if (!app.runs.accepting) return 'the server is shutting down';
      try {
        db.prepare('SELECT 1').get();
      } catch (error) {
        return `the database cannot be read: ${(error as Error).message}`;
      }
      if (config.requireWorker && workers.connected().length === 0)
        return 'no worker is connected yet (NODETOOL_REQUIRE_WORKER=0 makes the server ready without one)';
      return null;
    },
  };
  const runLog = new RunLog(logger);
  app.runs.on('event', (event) => {
    app.metrics.observeRun(event);
    runLog.observe(event);
  });
  rented.on('guard', (event) => app.metrics.observeGuard(event));

  const hub = new WsHub(app, log);
  const http = await buildHttpServer(app, hub, logger);
  await http.listen({ port: config.port, host: config.host });
  const metricsServer = config.metricsPort ? await serveMetricsOnLoopback(app.metrics, config.metricsPort) : null;
  const address = http.server.address() as { port: number };
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${address.port}`;

  const announced = new Map<string, string>();
  workers.on('status', (pool) => {
    for (const health of pool.workers) {
      const line = `worker ${health.id} ${health.state}${health.error ? `: ${health.error}` : ''}`;
      if (announced.get(health.id as string) === line) continue;
      announced.set(health.id as string, line);
      log(
        health.state === 'connected'
          ? `worker ${health.id} ready: protocol ${health.protocol_version}, ${health.node_count} nodes, namespaces ${health.namespaces.join(', ') || '(none)'}, ${health.load_errors.length} load errors, round trip ${health.last_round_trip_ms} ms`
          : line,
      );
    }
  });
  void workers
    .start()
    .then(() => rented.resume())
    .catch((error: Error) => log(`the workers could not start: ${error.message}`));
  guard.start();
  const retention = config.assets.retention ? new Retention(db, assets, config.assets.retention) : null;
  let sweeping: Promise<void> | null = null;
  const sweep = () => {
    if (!retention || sweeping) return;
    sweeping = retention
      .sweep()
      .then(({ runs, uploads, assets: removed }) => {
        if (runs || uploads || removed)
          log(`retention (${retention.policy.text}): removed ${runs} run(s), ${uploads} upload(s), ${removed} asset(s) nothing held`);
      })
      // A locked database or an unreachable bucket: logged, tried again at the next sweep.
      .catch((error: Error) => log(`retention: ${error.message}`))
      .finally(() => (sweeping = null));
  };
  sweep();
  const retentionTimer = retention ? setInterval(sweep, config.assets.retentionIntervalMs) : null;
  retentionTimer?.unref();

  let closing: Promise<void> | null = null;
  return {
    url,
    app,
    close() {
      closing ??= (async () => {
        // Stops listening now; resolves once the requests in flight (runs waited on) have answered.
        const closed = http.close();
        const unfinished = await app.runs.shutdown(config.shutdownTimeoutMs);
        if (unfinished) log(`${unfinished} run(s) did not finish within ${config.shutdownTimeoutMs} ms and were marked failed`);
        guard.stop();
        if (retentionTimer) clearInterval(retentionTimer);
        await sweeping;
        rented.shutdown();
        hub.close();
        // Each worker releases what its keep-alive holds, or it would keep it until its job TTL.
        await workers.stop();
        http.server.closeAllConnections();
        await closed;
        await metricsServer?.close();
        db.close();
      })();
      return closing;
    },
  };
}
