import { sql } from 'kysely';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { App } from '../app.js';
import type { AssetStore } from '../assets/assetStore.js';
import type { ServerConfig } from '../config.js';
import { JobManager, type RunCapacity } from '../jobs/jobManager.js';
import { RunEventLog } from '../jobs/runEventLog.js';
import { PoolModels } from '../models/poolModels.js';
import { ServerMetrics } from '../observability/serverMetrics.js';
import { CostGuardLoop } from '../rented/costGuardLoop.js';
import { TokenSeal } from '../rented/tokenSeal.js';
import { type Db, JobStore, LoginAttempts, ProfileCatalogs, RentedStore, WorkflowStore } from '@nt/data';
import { RentedWorkers } from '../rented/rentedWorkers.js';
import { Leadership } from '../replicas/leadership.js';
import { ReplicaPresence, type AssetsPlace } from '../replicas/replicaPresence.js';
import { QueueClaims } from '../replicas/queueClaims.js';
import { RunEventBus, type ScalerNews } from '../replicas/runEventBus.js';
import { SharedPool } from '../replicas/sharedPool.js';

/** How long the database keeps an ended run's events for a client that reconnects late (as the in-memory log does). */
const ENDED_EVENTS_KEPT_MS = 5 * 60_000;
import { CapacityScaler, CLUSTER_GROUP, type CapacityDemand } from '../scaling/capacityScaler.js';
import { matchGroup } from '../scaling/scaledGroups.js';
import { createHostPolicy } from '../security/hostPolicy.js';
import { ServerToken } from '../security/serverToken.js';
import { SessionStore } from '../security/sessions.js';
import { WorkerPool } from '../workers/workerPool.js';

/** The server's parts over its storage, wired to each other; nothing started yet (see startServer). */
export async function assembleApp(config: ServerConfig, db: Db, assets: AssetStore, log: (line: string) => void): Promise<App> {
  const jobs = new JobStore(db);
  // One server on SQLite: every run left live is its last process's. Several on Postgres: only those whose lease ran out (ReplicaPresence).
  const presence = db.kind === 'postgres' ? new ReplicaPresence(db, { leaseMs: config.runLeaseMs, assets: assetsPlaceOf(config), log }) : null;
  const interrupted = presence ? 0 : await jobs.interruptLeftovers();
  if (interrupted) log(`marked ${interrupted} run(s) left over from a previous process as interrupted`);
  const workers = new WorkerPool(config.workerPool, config.bridgeOptions, {
    retry: config.workerRetry,
    defaultKeepAliveMs: config.modelKeepAliveMs,
    secretPolicy: config.secretPolicy,
    localWorker: config.localWorker,
    log,
  });
  const rented = rentedWorkersOf(config, db, workers, log);
  const guard = new CostGuardLoop(rented, workers, {
    env: config.renting.env,
    intervalMs: config.renting.guardIntervalMs,
    reconcileIntervalMs: config.renting.reconcileIntervalMs,
    orphans: config.renting.orphans,
    queuedRuns: () => runs.queuedCount,
    log,
  });
  const catalogs = new ProfileCatalogs(db);
  // Several replicas: the leader's scaler rents for the runs waiting on every replica (SharedPool reads the others').
  const scaler = new CapacityScaler(rented, workers, catalogs, (): CapacityDemand[] => [...runs.capacityDemand(), ...(sharedPool?.demandElsewhere ?? [])], {
    env: config.renting.env,
    workersAutoscaled: config.workersAutoscaled,
    intervalMs: config.renting.scaleIntervalMs,
    maxInstances: config.renting.maxInstances,
    log,
  });
  // The profiles and catalogs as the scaler last read them (every look, and after a profile changed): a run is matched without a query.
  await scaler.refresh();
  const sharedPool: SharedPool | null = presence ? new SharedPool(db, workers, rented, scaler, { owner: presence.id, log }) : null;
  const capacity = runCapacityOf(config, scaler);
  const bus = presence ? new RunEventBus(db, presence.id, { keep: config.streams.eventBuffer, keepEndedMs: ENDED_EVENTS_KEPT_MS, log }) : null;
  const runs = jobManagerOf(config, jobs, workers, assets, guard, rented, capacity, presence, bus, log);
  // Every replica's runs reach every replica's clients; a cancel reaches the replica running the run.
  runs.on('event', (event, text) => bus?.publish(event, text));
  bus?.on('cancel', (jobId) => void runs.cancel(jobId));
  // A run this replica let go to another ends there: whoever waits for it here hears it.
  bus?.on('event', (event) => runs.heardElsewhere(event));
  // Retried every third of the lease: a leader gone is replaced within about that.
  const leadership = new Leadership(db, { retryMs: Math.max(500, Math.floor(config.runLeaseMs / 3)), log });
  const claims = presence ? new QueueClaims(db, runs, { owner: presence.id, leaseMs: config.runLeaseMs, log }) : null;
  presence?.on('interrupted', (ended) => {
    for (const run of ended) runs.announceEnded(run.id, run.workflowId ?? '', 'interrupted', run.error);
  });
  wireScalerNews(scaler, runs, bus, log);
  const serverToken = config.serverToken ? new ServerToken(config.serverToken) : null;
  return {
    config,
    workflows: new WorkflowStore(db),
    jobs,
    runs,
    workers,
    models: new PoolModels(workers, config.modelKeepAliveMs),
    rented,
    assets,
    guard,
    scaler,
    presence,
    bus,
    claims,
    leadership,
    sharedPool,
    startedAt: Date.now(),
    hostPolicy: createHostPolicy(config.host, config.allowedHosts, config.allowedOrigins),
    serverToken,
    sessions: serverToken ? new SessionStore(db, serverToken, config.sessionDays * 24 * 3600 * 1000) : null,
    loginAttempts: new LoginAttempts(db),
    metrics: new ServerMetrics({
      runsQueued: () => runs.queuedByNeeds(),
      runsRunning: () => runs.runningCount,
      workers: () => workers.members(),
      rented: () => rented.list(),
      assets: () => assets.records.totals(),
    }),
    notReady: () => notReadyReason(config, db, runs, workers, scaler),
  };
}

/**
 * The scaler's news to the runs that wait: here, and, from the leader, to every other replica through the
 * bus (what a group's runs wait for, or why nothing will come), so a run waiting on any replica hears it.
 */
function wireScalerNews(scaler: CapacityScaler, runs: JobManager, bus: RunEventBus | null, log: (line: string) => void): void {
  const tell = (news: ScalerNews) => bus?.publishScaler(news).catch((error: Error) => log(`scaler news could not reach the other replicas: ${error.message}`));
  scaler.on('waiting', (group) => {
    runs.announceWaiting(group);
    void tell({ group, waiting: scaler.waitingFor(group) });
  });
  scaler.on('hopeless', (group, reason) => {
    runs.failWaiting(group, reason);
    void tell({ group, hopeless: reason });
  });
  bus?.on('scaler', (news) => {
    if ('hopeless' in news) return runs.failWaiting(news.group, news.hopeless);
    scaler.heard(news.waiting);
    runs.announceWaiting(news.group);
  });
}

/** What a run asks of elastic capacity: the scaled group that serves it, what it waits for, a look now. */
function runCapacityOf(config: ServerConfig, scaler: CapacityScaler): RunCapacity {
  return {
    match: (nodeTypes, named) =>
      matchGroup(nodeTypes, scaler.profiles, (profile) => scaler.catalogOf(profile), named) ??
      // A cluster's autoscaler brings workers for any run (validated against the catalog its workers announced last).
      (config.workersAutoscaled && named === undefined ? { group: CLUSTER_GROUP, catalog: scaler.catalogOf(CLUSTER_GROUP) } : null),
    waitingFor: (group) => scaler.waitingFor(group),
    poke: () => scaler.poke(),
    scales: (group) => scaler.profiles.some((profile) => profile.scale !== null && profile.group === group),
  };
}

function rentedWorkersOf(config: ServerConfig, db: Db, workers: WorkerPool, log: (line: string) => void): RentedWorkers {
  return new RentedWorkers(new RentedStore(db), workers, {
    env: config.renting.env,
    // Next to the database (a throwaway one: a temporary directory), readable by this user only.
    seal: tokenSealOf(config),
    bootTimeoutMs: config.renting.bootTimeoutMs,
    maxInstances: config.renting.maxInstances,
    maxSpendPerDay: config.renting.maxSpendPerDay,
    maxFailedBringUps: config.renting.maxFailedBringUps,
    log,
  });
}

function jobManagerOf(
  config: ServerConfig,
  jobs: JobStore,
  workers: WorkerPool,
  assets: AssetStore,
  guard: CostGuardLoop,
  rented: RentedWorkers,
  capacity: RunCapacity,
  presence: ReplicaPresence | null,
  bus: RunEventBus | null,
  log: (line: string) => void,
): JobManager {
  return new JobManager(jobs, workers, {
    maxConcurrentRuns: config.maxConcurrentRuns,
    maxQueuedRuns: config.maxQueuedRuns,
    secretPolicy: config.secretPolicy,
    defaultKeepAliveMs: config.modelKeepAliveMs,
    workerWaitMs: config.workerWaitMs,
    wakeWorkers: () => guard.wakeForRun(),
    capacity,
    rentWaitMs: config.renting.waitTimeoutMs,
    ...(presence ? { lease: { owner: presence.id, ms: config.runLeaseMs } } : {}),
    ...(bus ? { cancelElsewhere: (jobId: string) => bus.requestCancel(jobId) } : {}),
    assets,
    streams: { maxRecordedItems: config.streams.maxRecordedItems, queueBytes: config.streams.queueBytes },
    fetchPolicy: config.fetchPolicy,
    events: new RunEventLog(config.streams.eventBuffer),
    onRunStarted: (workerId) => {
      // The idle clock is the guard's business; a run never fails for it.
      rented.touch(workerId).catch((error: Error) => log(`cost guard: could not note the run on ${workerId}: ${error.message}`));
    },
    log,
  });
}

/** Why the server should take no traffic now (GET /ready), or null. */
async function notReadyReason(config: ServerConfig, db: Db, runs: JobManager, workers: WorkerPool, scaler: CapacityScaler): Promise<string | null> {
  if (!runs.accepting) return 'the server is shutting down';
  try {
    await sql`SELECT 1`.execute(db.query);
  } catch (error) {
    return `the database cannot be read: ${(error as Error).message}`;
  }
  // With none connected, a server whose workers come on demand (a scaled profile, a cluster's autoscaler) still takes
  // runs: they wait for the worker their queue brings. Unready, a cluster scaled to zero would never send it one.
  if (config.requireWorker && workers.connected().length === 0 && !config.workersAutoscaled && !scaler.active)
    return 'no worker is connected yet, and none comes on demand (a profile with scale, NODETOOL_WORKERS_AUTOSCALED=1; NODETOOL_REQUIRE_WORKER=0 makes the server ready without one)';
  return null;
}

/** Where this replica's assets go, as the others must know: a bucket, a folder declared shared, or its own folder. */
function assetsPlaceOf(config: ServerConfig): AssetsPlace {
  if (config.assets.s3) return 'bucket';
  return config.assets.shared ? 'shared' : 'local';
}

/** The key rented workers' tokens are sealed with: the file's, made next to the database on one machine, or a throwaway one for a throwaway database. */
function tokenSealOf(config: ServerConfig): TokenSeal | null {
  if (config.secretsKey) {
    if (config.secretsKey.create) mkdirSync(dirname(config.secretsKey.file), { recursive: true, mode: 0o700 });
    return TokenSeal.fromFile(config.secretsKey.file, { create: config.secretsKey.create });
  }
  return config.database.kind === 'sqlite' ? TokenSeal.fromFile(join(mkdtempSync(join(tmpdir(), 'nt-secrets-')), 'secrets.key'), { create: true }) : null;
}
