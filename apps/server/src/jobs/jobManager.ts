import { EventEmitter } from 'node:events';
import {
  graphNeedsWorker,
  isBuiltinType,
  modelKey,
  modelsOfGraph,
  prepareGraph,
  prepareRun,
  runPrepared,
  toJsonValue,
  GraphValidationError,
  type FetchPolicy,
  type PreparedRun,
  type RunEvent,
  type Graph,
  type SecretPolicy,
  type WorkerHandle,
  type WorkerRouter,
  type Workflow,
} from '@nt/runtime';
import type { PythonBridge } from '@nt/bridge';
import { isFinalJobStatus, newJobId, type FinalJobStatus, type JobRecord, type RunWaiting, type UnnumberedRunEvent } from '@nt/api-contract';
import type { AssetStore } from '../assets/assetStore.js';
import { JobExistsError, TooManyRunsError, WorkerUnavailableError } from '../errors.js';
import type { RunModelOptions } from '../runs/runRequest.js';
import { queueLabelsOf, type QueueLabels } from './queueLabels.js';
import { RunEventLog, type EventsSince } from './runEventLog.js';
import type { JobStore, StoredJob } from '@nt/data';
import type { RunNeeds } from '../workers/chooseWorker.js';
import type { GroupMatch } from '../scaling/scaledGroups.js';
import type { PoolMember } from '../workers/poolMember.js';
import type { WorkerPool } from '../workers/workerPool.js';

export type { ServerRunEvent } from '@nt/api-contract';

export interface JobManagerOptions {
  maxConcurrentRuns: number;
  /** Runs that wait, first in first out, while the concurrent ones go; more are refused (429). */
  maxQueuedRuns?: number;
  secretPolicy?: SecretPolicy;
  /** The default keep-alive of runs (NODETOOL_MODEL_KEEP_ALIVE); each worker's keep-alive holds them. */
  defaultKeepAliveMs?: number;
  /** How long a queued run waits for a worker that offers its nodes while none is connected, before it fails. */
  workerWaitMs?: number;
  /**
   * Called when a run needs a worker and none is connected: a rented worker the cost guard stopped can
   * be started for it. `waking` lets the run wait in the queue for it; `refusal` fails it at once, saying why.
   */
  wakeWorkers?: () => Promise<{ waking: boolean; refusal?: string }>;
  /** A run started on this worker (the cost guard's idle clock of a rented worker restarts). */
  onRunStarted?: (workerId: string) => void;
  /** Where each run's binary results go and its asset inputs come from; without it they stay bytes. */
  assets?: AssetStore;
  /** Streamed outputs: how many items a record keeps, what items waiting at an input may take in memory. */
  streams?: { maxRecordedItems: number; queueBytes: number };
  /** The runs' numbered events, kept for clients that reconnect; a small default without it. */
  events?: RunEventLog;
  /** How a workflow's media URLs are fetched; the settings of this process without it. */
  fetchPolicy?: FetchPolicy;
  /** Scaled groups: a run no connected worker can take waits for a worker one of them brings, instead of being refused. */
  capacity?: RunCapacity;
  /** How long a run waits for a scaled group's worker before it fails (NODETOOL_RENT_WAIT_TIMEOUT); default 15 min. */
  rentWaitMs?: number;
  /** With several replicas: each run is recorded as this replica's, under a lease it renews (replicas/replicaPresence.ts). */
  lease?: { owner: string; ms: number };
  /** With several replicas: asks the one running a run this replica does not hold to cancel it (replicas/runEventBus.ts). */
  cancelElsewhere?: (jobId: string) => Promise<void>;
  log?: (line: string) => void;
}

/** What the job manager asks of the elastic capacity (scaling/): which group can bring a worker, and what its runs wait for. */
export interface RunCapacity {
  /** The scaled group able to bring a worker for these Python node types (only `named`, when given), or null. */
  match(nodeTypes: string[], named?: string): GroupMatch | null;
  waitingFor(group: string): RunWaiting;
  /** A run began to wait: look now. */
  poke(): void;
  /** Whether the group's workers come from a scaled profile (a lost one is replaced, so its runs retry and wait). */
  scales(group: string): boolean;
}

/** With several replicas: a run queued this long on a replica with no room left is let go for one with room. */
const HAND_OFF_AFTER_MS = 1_000;

interface QueuedRun {
  jobId: string;
  /** When it joined this replica's queue. */
  queuedAt: number;
  workflow: Workflow;
  params: Record<string, unknown>;
  models: RunModelOptions;
  settle: (job: StoredJob) => void;
  /** Since when no connected worker could take it at all (it fails after workerWaitMs). */
  noWorkerSince?: number;
  /** The scaled group bringing a worker for it, and since when it waits for one (it fails after rentWaitMs). */
  capacity?: { group: string; since: number };
  /** What it needs, for the queue's metric. */
  labels: QueueLabels;
}

/**
 * Starts runs on the workers of the pool (one chosen per run: see chooseWorker), persists them, and
 * re-emits their events (`event`) for WebSocket clients. Validation happens before a job exists, so a
 * bad graph is refused without leaving a half-made run behind. Runs wait in one FIFO queue while the
 * workers that could take them are full. Nothing a run does can take the server down: a store that
 * fails, a worker that dies, an executor that throws all end as that run's failure.
 */
export class JobManager extends EventEmitter {
  private readonly active = new Map<string, { controller: AbortController; done: Promise<StoredJob> }>();
  private readonly live = new Map<string, Record<string, { status: string; progress?: number; total?: number; worker?: string }>>();
  /** Outcomes the store refused (disk full, locked): served from memory, written again with the next outcome. */
  private readonly unsaved = new Map<string, StoredJob>();
  /** Runs waiting for a worker with room, oldest first; each keeps the promise its caller holds. */
  private readonly queue: QueuedRun[] = [];
  /** Runs this replica let go to another with room; their callers here wait for their end, heard as an event. */
  private readonly handedOff = new Map<string, (job: StoredJob) => void>();
  /** Runs in flight waiting for a replacement of their lost worker: demand for their group, like queued ones. */
  private readonly retryWaits = new Set<{ group: string; since: number }>();
  /** Runs being started (their record being written): their ids are taken, and they count as running or queued already. */
  private readonly starting = new Map<string, 'checking' | 'launch' | 'queue'>();
  private takingRuns = true;
  private waitTimer: NodeJS.Timeout | null = null;
  private lastWake = 0;
  private readonly events: RunEventLog;

  constructor(
    private readonly jobs: JobStore,
    private readonly pool: WorkerPool,
    private readonly options: JobManagerOptions = { maxConcurrentRuns: 32 },
  ) {
    super();
    this.events = options.events ?? new RunEventLog({ events: 10_000, bytes: 16 * 1024 * 1024 });
    // A worker that connects, or a new one, may take a waiting run.
    pool.on('changed', () => this.dispatch());
  }

  /**
   * Validates, records and starts a run on the worker chosen for it, or queues it while every worker
   * that could take it is full (or NODETOOL_MAX_CONCURRENT_RUNS run already).
   * Throws (GraphValidationError, WorkerUnavailableError, TooManyRunsError, ...) before anything is saved.
   */
  async start(
    workflow: Workflow,
    params: Record<string, unknown> = {},
    jobId = newJobId(),
    models: RunModelOptions = {},
  ): Promise<{ jobId: string; done: Promise<StoredJob> }> {
    if (!this.takingRuns) throw new WorkerUnavailableError('the server is shutting down');
    if (this.starting.has(jobId) || this.active.has(jobId) || this.queue.some((queued) => queued.jobId === jobId)) throw new JobExistsError(jobId);
    // The id is taken from here on: a second start with it is refused, even while this one waits for the database.
    this.starting.set(jobId, 'checking');
    try {
      return await this.recordAndStart(workflow, params, jobId, models);
    } finally {
      this.starting.delete(jobId);
    }
  }

  /** start's work once its id is taken: checked, then recorded, then launched or queued. */
  private async recordAndStart(
    workflow: Workflow,
    params: Record<string, unknown>,
    jobId: string,
    models: RunModelOptions,
  ): Promise<{ jobId: string; done: Promise<StoredJob> }> {
    if (await this.jobs.exists(jobId)) throw new JobExistsError(jobId);
    const group = models.group ?? workflow.workerGroup;
    const graph = prepareGraph(workflow, params);
    let prepared: PreparedRun | null = null;
    let capacity: QueuedRun['capacity'];
    try {
      prepared = this.prepare(workflow, graph, group);
    } catch (refusal) {
      // No connected worker can take it: a scaled group may bring one, or a stopped rented one be started.
      capacity = this.capacityFor(workflow, graph, group);
      if (!capacity && !(await this.wokenFor(graph))) throw refusal;
    }
    const placement = prepared ? this.place(prepared, group) : 'wait';
    if (prepared && placement !== 'wait' && this.queuedOrQueueing === 0 && this.runningOrLaunching < this.options.maxConcurrentRuns) {
      this.starting.set(jobId, 'launch');
      await this.jobs.create({ id: jobId, workflow_id: workflow.id, graph: workflow.graph, params }, 'running', this.leaseNow(), runSpecOf(workflow, models));
      // The worker chosen may have filled up while the record was written: it is asked again.
      const now = this.place(prepared, group);
      if (now !== 'wait') return { jobId, done: this.launch(prepared, jobId, models, now) };
      await this.jobs.markQueued(jobId);
    } else {
      if (this.queuedOrQueueing >= (this.options.maxQueuedRuns ?? 1000)) {
        throw new TooManyRunsError(
          `${this.active.size} runs are in progress and ${this.queue.length} wait, the most this server takes (NODETOOL_MAX_CONCURRENT_RUNS, NODETOOL_MAX_QUEUED_RUNS, the workers' max_concurrent_runs); try again when one finishes`,
        );
      }
      this.starting.set(jobId, 'queue');
      await this.jobs.create({ id: jobId, workflow_id: workflow.id, graph: workflow.graph, params }, 'queued', this.leaseNow(), runSpecOf(workflow, models));
    }
    const labels = queueLabelsOf(workflow, graph, capacity?.group ?? group);
    const done = new Promise<StoredJob>((settle) =>
      this.queue.push({
        jobId,
        queuedAt: Date.now(),
        workflow,
        params,
        models: { ...models, ...(group ? { group } : {}) },
        settle,
        labels,
        ...(capacity ? { capacity } : {}),
      }),
    );
    this.emitEvent({ type: 'job_update', job_id: jobId, workflow_id: workflow.id, status: 'queued', ...this.waitingOf(capacity?.group) });
    if (capacity) this.waitsForCapacity(jobId, capacity.group);
    // Its wait has a deadline: the queue is looked at every second while it waits.
    this.watchWaiting();
    return { jobId, done };
  }

  /**
   * A run no connected worker can take, that a scaled group can bring one for: it waits for that worker
   * (checked first against the catalog the group's workers announced, so a graph they cannot run is
   * refused before anything is rented). Undefined: no scaled group serves it.
   */
  private capacityFor(workflow: Workflow, graph: Graph, group: string | undefined): QueuedRun['capacity'] {
    if (!this.options.capacity || !graphNeedsWorker(graph)) return undefined;
    const match = this.options.capacity.match(pythonTypesOf(graph), group);
    if (!match) return undefined;
    if (match.catalog) prepareRun(workflow, graph, match.catalog);
    return { group: match.group, since: Date.now() };
  }

  /** The scaled group a worker belongs to (its `group` label), or undefined. */
  private scaledGroupOf(worker: PoolMember): string | undefined {
    const group = worker.labels['group'];
    return group && this.options.capacity?.scales(group) ? group : undefined;
  }

  /** The pool's router; on a scaled group's worker it can also wait for a replacement of a lost worker. */
  private routerFor(worker: PoolMember): WorkerRouter {
    const router = this.pool.routerFor(worker);
    const group = this.scaledGroupOf(worker);
    if (!group) return router;
    return { ...router, waitForNode: (nodeType, avoid, signal) => this.waitForReplacement(router, group, nodeType, avoid, signal) };
  }

  /**
   * A run whose worker was lost waits, inside its run, for another of its group: it counts as demand (the
   * scaler rents a replacement) until one offering the node connects, the run is cancelled, or rentWaitMs passes.
   */
  private waitForReplacement(
    router: WorkerRouter,
    group: string,
    nodeType: string,
    avoid: ReadonlySet<PythonBridge>,
    signal: AbortSignal,
  ): Promise<WorkerHandle | null> {
    const demand = { group, since: Date.now() };
    this.retryWaits.add(demand);
    this.options.capacity?.poke();
    return new Promise<WorkerHandle | null>((resolve) => {
      const check = () => {
        const found = router.forNode(nodeType, avoid);
        if (found) finish(found);
      };
      const finish = (found: WorkerHandle | null) => {
        clearTimeout(timer);
        clearInterval(every);
        this.pool.off('changed', check);
        signal.removeEventListener('abort', abort);
        this.retryWaits.delete(demand);
        resolve(found);
      };
      const abort = () => finish(null);
      const timer = setTimeout(() => finish(null), this.options.rentWaitMs ?? 900_000);
      // Connecting is an event; a worker that merely got room is not, so look every second too.
      const every = setInterval(check, 1_000);
      this.pool.on('changed', check);
      signal.addEventListener('abort', abort, { once: true });
      check();
    });
  }

  /** A queued run's `waiting`, for its job_update and record. */
  private waitingOf(group: string | undefined): { waiting?: RunWaiting } {
    return group && this.options.capacity ? { waiting: this.options.capacity.waitingFor(group) } : {};
  }

  /** What the runs waiting for scaled groups are: the scaler's demand. */
  capacityDemand(): Array<{ group: string; since: number }> {
    return [...this.queue.flatMap((queued) => (queued.capacity ? [queued.capacity] : [])), ...this.retryWaits];
  }

  /** What a group's waiting runs wait for changed: each hears it (job_update, still queued, with `waiting`). */
  announceWaiting(group: string): void {
    // What they wait for is the group's: asked once, told to each.
    const waiting = this.waitingOf(group);
    for (const queued of this.queue) {
      if (queued.capacity?.group !== group) continue;
      this.emitEvent({ type: 'job_update', job_id: queued.jobId, workflow_id: queued.workflow.id, status: 'queued', ...waiting });
    }
  }

  /** Nothing will come for a group's waiting runs (the daily cap, failing bring-ups): they fail now, saying why. */
  failWaiting(group: string, reason: string): void {
    for (let index = 0; index < this.queue.length;) {
      const queued = this.queue[index] as QueuedRun;
      if (queued.capacity?.group !== group) {
        index++;
        continue;
      }
      this.queue.splice(index, 1);
      void this.finishWithoutRunning(queued.jobId, queued.workflow.id, 'failed', `no worker will be rented for the group ${group}: ${reason}`).then(
        queued.settle,
      );
    }
  }

  /** The lease a run recorded now is held under, with several replicas. */
  private leaseNow(): { owner: string; until: number } | undefined {
    const lease = this.options.lease;
    return lease ? { owner: lease.owner, until: Date.now() + lease.ms } : undefined;
  }

  /** Runs queued, and those being recorded to queue. */
  private get queuedOrQueueing(): number {
    return this.queue.length + [...this.starting.values()].filter((how) => how === 'queue').length;
  }

  /** Runs in flight, and those being recorded to launch at once. */
  private get runningOrLaunching(): number {
    return this.active.size + [...this.starting.values()].filter((how) => how === 'launch').length;
  }

  /** No worker is connected, but a stopped rented one is being started for this run: it waits in the queue (validated once it is up). */
  private async wokenFor(graph: Graph): Promise<boolean> {
    if (this.pool.connected().length > 0 || !this.options.wakeWorkers) return false;
    if (!graphNeedsWorker(graph)) return false;
    const { waking, refusal } = await this.options.wakeWorkers();
    if (refusal) throw new WorkerUnavailableError(refusal);
    return waking;
  }

  /** Structure, the workers' catalog, and a connected worker able to take it: everything that can be refused before a run exists. */
  private prepare(workflow: Workflow, graph: Graph, group: string | undefined): PreparedRun {
    if (graphNeedsWorker(graph) && this.pool.connected().length === 0) {
      const health = this.pool.status().worker;
      const what = this.pool.members().length > 1 ? 'no worker of the pool is connected' : `the worker is ${health.state.replace('_', ' ')}`;
      throw new WorkerUnavailableError(`the workflow needs a Python worker, and ${what}${health.error ? ` (${health.error})` : ''}`);
    }
    const prepared = prepareRun(workflow, graph, this.pool.catalog());
    if (graphNeedsWorker(graph) && !this.pool.choose(needsOf(prepared, group)).eligible) {
      const of = group ? ` of the group ${group}` : '';
      throw new WorkerUnavailableError(`no connected worker${of} offers every Python node type of this workflow (${needsOf(prepared).nodeTypes.join(', ')})`);
    }
    return prepared;
  }

  /** The worker a run starts on now, null for a run that needs none, or 'wait' while every able worker is full. */
  private place(prepared: PreparedRun, group: string | undefined): PoolMember | null | 'wait' {
    if (!graphNeedsWorker(prepared.graph)) return null;
    return this.pool.choose(needsOf(prepared, group)).chosen ?? 'wait';
  }

  private launch(prepared: PreparedRun, jobId: string, models: RunModelOptions, worker: PoolMember | null): Promise<StoredJob> {
    const controller = new AbortController();
    this.live.set(jobId, {});
    if (worker) {
      worker.runsHere++;
      this.options.onRunStarted?.(worker.id);
      // Other replicas count it against this worker's limit; a write that failed only leaves them counting less.
      this.jobs.assignWorker(jobId, worker.id).catch(() => undefined);
    }
    const done = this.execute(prepared, jobId, controller.signal, models, worker);
    this.active.set(jobId, { controller, done });
    void done
      .finally(() => {
        if (worker) worker.runsHere--;
        this.active.delete(jobId);
        this.live.delete(jobId);
        this.dispatch();
      })
      .catch(() => undefined);
    return done;
  }

  /**
   * Starts what waits, oldest first, on workers with room. A run no worker can take yet stays queued
   * without holding up the ones behind it that another worker can take. One that waits while no
   * connected worker offers its nodes at all fails after workerWaitMs, or, waiting for a scaled group's
   * worker, after rentWaitMs: no run waits forever.
   */
  private dispatch(): void {
    const now = Date.now();
    for (let index = 0; index < this.queue.length;) {
      if (!this.takingRuns || this.active.size >= this.options.maxConcurrentRuns) {
        this.handOff(now);
        break;
      }
      const next = this.queue[index] as QueuedRun;
      const outcome = this.tryStart(next, now);
      if (outcome === 'waits') index++;
      else this.queue.splice(index, 1);
      if (outcome !== 'waits' && outcome !== 'started')
        void this.finishWithoutRunning(next.jobId, next.workflow.id, 'failed', outcome.failed).then(next.settle);
    }
    this.watchWaiting();
  }

  /**
   * With several replicas, this one has no room left (NODETOOL_MAX_CONCURRENT_RUNS): what has waited here
   * HAND_OFF_AFTER_MS is let go in the database, for whichever replica has room first to claim (this one
   * included, once it has). Its callers here still hear its end.
   */
  private handOff(now: number): void {
    const lease = this.options.lease;
    if (!lease || !this.takingRuns) return;
    const due = this.queue.filter((queued) => now - queued.queuedAt >= HAND_OFF_AFTER_MS);
    if (!due.length) return;
    for (const queued of due) {
      this.queue.splice(this.queue.indexOf(queued), 1);
      this.handedOff.set(queued.jobId, queued.settle);
    }
    this.jobs
      .releaseQueued(
        lease.owner,
        due.map((queued) => queued.jobId),
      )
      .catch((error: Error) => {
        // Still this replica's in the database: it waits here again.
        this.options.log?.(`could not let ${due.length} queued run(s) go to another replica: ${error.message}`);
        for (const queued of due) this.handedOff.delete(queued.jobId);
        this.queue.unshift(...due);
      });
  }

  /** A run's end, whoever ran it: a caller here waiting for a run this replica let go hears it. */
  private settleHandedOff(event: { type: string; job_id?: string; status?: string }): void {
    if (event.type !== 'job_update' || !event.job_id || !isFinalJobStatus(event.status as JobRecord['status'])) return;
    const settle = this.handedOff.get(event.job_id);
    if (!settle) return;
    this.handedOff.delete(event.job_id);
    void this.jobs
      .get(event.job_id)
      .then((job) => job && settle(job))
      .catch(() => undefined);
  }

  /** An event another replica sent (RunEventBus). */
  heardElsewhere(event: { type: string; job_id?: string; status?: string }): void {
    this.settleHandedOff(event);
  }

  /** One queued run: started on a worker with room, still waiting, or failed with the reason. */
  private tryStart(next: QueuedRun, now: number): 'started' | 'waits' | { failed: string } {
    const group = next.models.group;
    let prepared: PreparedRun | null = null;
    let placement: PoolMember | null | 'wait' = 'wait';
    try {
      prepared = prepareRun(next.workflow, prepareGraph(next.workflow, next.params), this.pool.catalog());
      placement = this.place(prepared, group);
    } catch (error) {
      // With no worker connected (or none of its group yet) its node types are unknown: it waits for one. Otherwise it cannot run.
      if (!(error instanceof GraphValidationError) || (this.pool.connected().length > 0 && !next.capacity)) return { failed: (error as Error).message };
    }
    if (placement !== 'wait' && prepared) {
      // The outcome is what matters; a status the store missed is corrected when the run ends.
      this.jobs.markRunning(next.jobId).catch(() => undefined);
      void this.launch(prepared, next.jobId, next.models, placement).then(next.settle);
      return 'started';
    }
    const able = prepared !== null && this.pool.choose(needsOf(prepared, group)).eligible;
    return next.capacity || (!able && this.becomesCapacityRun(next, now)) ? this.waitForCapacity(next, now) : this.waitForWorker(next, able, now);
  }

  /** A run queued the usual way whose workers went (released, stopped): a scaled group that can bring one takes it over. */
  private becomesCapacityRun(next: QueuedRun, now: number): boolean {
    try {
      const match = this.options.capacity?.match(pythonTypesOf(prepareGraph(next.workflow, next.params)), next.models.group);
      if (!match) return false;
      next.capacity = { group: match.group, since: now };
      next.labels = { ...next.labels, group: match.group };
      next.noWorkerSince = undefined;
      this.waitsForCapacity(next.jobId, match.group);
      return true;
    } catch {
      return false;
    }
  }

  /** Told to the scaler here, and to the database, where the leader's scaler counts every replica's waiting runs. */
  private waitsForCapacity(jobId: string, group: string): void {
    this.options.capacity?.poke();
    this.jobs.markWaitingFor(jobId, group).catch(() => undefined);
  }

  private waitForCapacity(next: QueuedRun, now: number): 'waits' | { failed: string } {
    const capacity = next.capacity as { group: string; since: number };
    const maxWait = this.options.rentWaitMs ?? 900_000;
    if (now - capacity.since < maxWait) return 'waits';
    const last = this.options.capacity?.waitingFor(capacity.group).text ?? 'no worker came';
    return { failed: `no worker of the group ${capacity.group} was ready within ${Math.round(maxWait / 1000)} s (NODETOOL_RENT_WAIT_TIMEOUT); last: ${last}` };
  }

  private waitForWorker(next: QueuedRun, able: boolean, now: number): 'waits' | { failed: string } {
    const maxWait = this.options.workerWaitMs ?? 60_000;
    // Nothing connected while it waits (its rented worker was stopped meanwhile): ask for one again, now and then.
    if (!able && this.pool.connected().length === 0 && now - this.lastWake >= 5_000 && this.options.wakeWorkers) {
      this.lastWake = now;
      void this.options.wakeWorkers().catch(() => undefined);
    }
    next.noWorkerSince = able ? undefined : (next.noWorkerSince ?? now);
    if (next.noWorkerSince === undefined || now - next.noWorkerSince < maxWait) return 'waits';
    return { failed: `no connected worker offered every node type of this run for ${Math.round(maxWait / 1000)} s (NODETOOL_WORKER_WAIT_MS)` };
  }

  /** While a queued run waits for any able worker, look again every second (its wait has a deadline). */
  private watchWaiting(): void {
    // With several replicas any queued run is looked at each second too: it may be due to be let go (handOff).
    const waiting =
      this.takingRuns && this.queue.some((queued) => queued.noWorkerSince !== undefined || queued.capacity !== undefined || this.options.lease !== undefined);
    if (waiting && !this.waitTimer) {
      this.waitTimer = setInterval(() => this.dispatch(), 1_000);
      this.waitTimer.unref();
    } else if (!waiting && this.waitTimer) {
      clearInterval(this.waitTimer);
      this.waitTimer = null;
    }
  }

  /**
   * What waits when the server stops: with several replicas, let go for another to take (they stay
   * queued); alone, interrupted, since nobody else will run them.
   */
  private leaveQueue(): Array<Promise<void>> {
    const left = this.queue.splice(0);
    // Callers waiting for runs another replica may run: answered with the run as it stands.
    const waiting = [...this.handedOff].map(async ([jobId, settle]) => {
      this.handedOff.delete(jobId);
      const job = await this.jobs.get(jobId);
      if (job) settle(job);
    });
    const lease = this.options.lease;
    if (lease) {
      const released = this.jobs.releaseQueued(
        lease.owner,
        left.map((queued) => queued.jobId),
      );
      return [
        ...waiting,
        ...left.map(async (queued) => {
          await released;
          const job = await this.jobs.get(queued.jobId);
          if (job) queued.settle(job);
        }),
      ];
    }
    return [
      ...waiting,
      ...left.map((queued) =>
        this.finishWithoutRunning(queued.jobId, queued.workflow.id, 'interrupted', 'the server shut down before the run started; run it again').then(
          queued.settle,
        ),
      ),
    ];
  }

  /** Whether this replica could start one more run now: taking runs, nothing queued, room for it, a worker connected. */
  get hasRoom(): boolean {
    return this.takingRuns && this.queuedOrQueueing === 0 && this.runningOrLaunching < this.options.maxConcurrentRuns && this.pool.connected().length > 0;
  }

  /**
   * A queued run another replica let go (it stopped, or died and its lease ran out), taken by this one: it
   * waits here as if started here, its events numbered on from the last one its first replica sent.
   */
  adopt(run: { jobId: string; workflow: Workflow; params: Record<string, unknown>; models: RunModelOptions; lastSeq: number }): void {
    const lease = this.options.lease;
    // Claimed as this replica began to stop: let go again for the others.
    if (!this.takingRuns && lease) {
      this.jobs.releaseQueued(lease.owner, [run.jobId]).catch(() => undefined);
      return;
    }
    this.events.continueFrom(run.jobId, run.lastSeq);
    const { workflow, params, models, jobId } = run;
    this.queue.push({
      jobId,
      queuedAt: Date.now(),
      workflow,
      params,
      models,
      // Nobody here waits for it: whoever does watches its events.
      settle: () => undefined,
      labels: queueLabelsOf(workflow, prepareGraph(workflow, params), models.group),
    });
    this.dispatch();
  }

  /** A run this replica does not hold ended elsewhere (its replica's lease ran out): its watchers here hear it. */
  announceEnded(jobId: string, workflowId: string, status: 'interrupted', error: string): void {
    this.emitEvent({ type: 'job_update', job_id: jobId, workflow_id: workflowId, status, error });
  }

  /** A queued run that ends before it starts (cancelled, refused, shutdown): stored and announced like any other. */
  private async finishWithoutRunning(jobId: string, workflowId: string, status: 'failed' | 'cancelled' | 'interrupted', error: string): Promise<StoredJob> {
    const job = await this.record(jobId, status, null, error);
    this.emitEvent({ type: 'job_update', job_id: jobId, workflow_id: workflowId, status, error });
    return job;
  }

  /** Aborts a running job, or takes a queued one out of the queue; false when it is neither. */
  async cancel(jobId: string): Promise<boolean> {
    const run = this.active.get(jobId);
    if (run) {
      run.controller.abort(new Error('cancelled by request'));
      return true;
    }
    const index = this.queue.findIndex((queued) => queued.jobId === jobId);
    const [queued] = index < 0 ? [] : this.queue.splice(index, 1);
    if (!queued) return this.cancelElsewhere(jobId);
    queued.settle(await this.finishWithoutRunning(jobId, queued.workflow.id, 'cancelled', 'cancelled while queued'));
    return true;
  }

  /** A run another replica holds, still live in the database: that replica is asked to cancel it. */
  private async cancelElsewhere(jobId: string): Promise<boolean> {
    if (!this.options.cancelElsewhere) return false;
    // Let go and not yet claimed: nobody holds it, so it is cancelled here.
    const unheld = await this.jobs.cancelUnheld(jobId, 'cancelled while queued');
    if (unheld) {
      this.emitEvent({ type: 'job_update', job_id: jobId, workflow_id: unheld.workflowId ?? '', status: 'cancelled', error: 'cancelled while queued' });
      return true;
    }
    const job = await this.jobs.get(jobId);
    if (!job || job.finished_at !== null) return false;
    await this.options.cancelElsewhere(jobId);
    return true;
  }

  /** The stored job, with live per-node states while it runs. */
  async get(jobId: string): Promise<JobRecord | null> {
    const unsaved = this.unsaved.get(jobId);
    if (unsaved) return unsaved;
    const job = await this.jobs.get(jobId);
    if (!job) return null;
    const live = this.live.get(jobId);
    if (live) return { ...job, nodes: live };
    const queued = job.status === 'queued' ? this.queue.find((run) => run.jobId === jobId) : undefined;
    return queued?.capacity ? { ...job, ...this.waitingOf(queued.capacity.group) } : job;
  }

  get runningCount(): number {
    return this.active.size;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  /** The waiting runs counted by what they need (nodetool_runs_queued's labels). */
  queuedByNeeds(): Array<{ labels: QueueLabels; count: number }> {
    const counts = new Map<string, { labels: QueueLabels; count: number }>();
    for (const { labels } of this.queue) {
      const key = `${labels.node_namespace}\n${labels.group}\n${labels.vram}`;
      const entry = counts.get(key) ?? { labels, count: 0 };
      entry.count++;
      counts.set(key, entry);
    }
    return [...counts.values()];
  }

  /** False once shutdown began: no new run is taken. */
  get accepting(): boolean {
    return this.takingRuns;
  }

  /**
   * For shutdown: takes no new runs, cancels the ones in flight and waits up to `timeoutMs` for them
   * to end. Any still going then are recorded as failed (a worker that ignores cancel must not hold
   * the server up). Resolves with how many had to be failed that way.
   */
  async shutdown(timeoutMs: number): Promise<number> {
    this.takingRuns = false;
    const leftInQueue = this.leaveQueue();
    this.watchWaiting();
    const runs = [...this.active.entries()];
    for (const [, run] of runs) run.controller.abort(new Error('the server is shutting down'));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([Promise.allSettled(runs.map(([, run]) => run.done)).then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    await Promise.all(leftInQueue);
    if (outcome === 'done') return 0;
    let failed = 0;
    for (const [jobId] of runs) {
      if (!this.active.has(jobId)) continue;
      failed++;
      const job = await this.record(
        jobId,
        'interrupted',
        null,
        `the server shut down before the run finished (it did not stop within ${timeoutMs} ms of being cancelled)`,
      );
      this.emitEvent({
        type: 'job_update',
        job_id: jobId,
        workflow_id: job.workflow_id ?? '',
        status: 'interrupted',
        ...(job.error ? { error: job.error } : {}),
      });
    }
    return failed;
  }

  private async execute(prepared: PreparedRun, jobId: string, signal: AbortSignal, models: RunModelOptions, worker: PoolMember | null): Promise<StoredJob> {
    const { workflow } = prepared;
    let status: FinalJobStatus;
    let result: StoredJob['result'] = null;
    let error: string | null;
    try {
      const router = worker ? this.routerFor(worker) : undefined;
      const scaled = worker ? this.scaledGroupOf(worker) : undefined;
      const outcome = await runPrepared(prepared, router?.home.bridge ?? null, {
        jobId,
        signal,
        router,
        secretPolicy: this.options.secretPolicy,
        keepAliveMs: models.keepAliveMs ?? this.options.defaultKeepAliveMs,
        downloadMissing: models.downloadMissing,
        // A scaled group's worker may be taken back (an interruptible one reclaimed): its runs retry once on the
        // replacement unless they said retry_on_worker_loss: false.
        retryOnWorkerLoss: models.retryOnWorkerLoss ?? (scaled ? true : undefined),
        // The bridge outlives the run: its job.end need not hold up the answer.
        releaseInBackground: true,
        assets: this.options.assets?.forRun(jobId),
        ...(this.options.fetchPolicy ? { fetchPolicy: this.options.fetchPolicy } : {}),
        ...(this.options.streams ? { maxRecordedItems: this.options.streams.maxRecordedItems, streamQueueBytes: this.options.streams.queueBytes } : {}),
        onEvent: (event) => this.relay(workflow.id, event),
      });
      result = toJsonValue({ outputs: outcome.outputs, nodes: outcome.nodes, duration_ms: outcome.duration_ms }) as StoredJob['result'];
      // Cut by the server's own shutdown: not the user's cancel and not its nodes' failure.
      const cutByShutdown = outcome.status === 'cancelled' && !this.takingRuns;
      status = cutByShutdown ? 'interrupted' : outcome.status;
      error = cutByShutdown ? 'the server shut down during the run; run it again' : (outcome.error ?? null);
    } catch (failure) {
      // Validation passed at start; this is the worker vanishing between the check and the run, or a bug.
      status = 'failed';
      error = (failure as Error).message;
    }
    const job = await this.record(jobId, status, result, error);
    // The final job_update goes out only once the outcome is stored, so a client that reads the job next sees it.
    this.emitEvent({
      type: 'job_update',
      job_id: jobId,
      workflow_id: workflow.id,
      status: job.status as FinalJobStatus,
      ...(job.error ? { error: job.error } : {}),
      ...(job.result ? { duration_ms: job.result.duration_ms, outputs: job.result.outputs } : {}),
    });
    return job;
  }

  /**
   * Stores a run's outcome. A store that cannot write (disk full, database locked or read-only) does not
   * lose the outcome for the clients watching: the run is reported failed with both errors.
   */
  private async record(jobId: string, status: StoredJob['status'], result: StoredJob['result'], error: string | null): Promise<StoredJob> {
    let storeError: string;
    try {
      const stored = await this.jobs.finish(jobId, status, result, error);
      if (stored) {
        await this.retryUnsaved();
        return stored;
      }
      storeError = 'the job record is gone';
    } catch (failure) {
      storeError = (failure as Error).message;
    }
    this.options.log?.(`could not store the outcome of ${jobId}: ${storeError}`);
    const now = new Date().toISOString();
    const job: StoredJob = {
      id: jobId,
      workflow_id: null,
      status: 'failed',
      graph: { nodes: [], edges: [] },
      params: {},
      result,
      error: `the run ended (${status}${error ? `: ${error}` : ''}) but its outcome could not be saved: ${storeError}`,
      created_at: now,
      finished_at: now,
    };
    this.unsaved.set(jobId, job);
    return job;
  }

  private async retryUnsaved(): Promise<void> {
    for (const [jobId, job] of this.unsaved) {
      try {
        await this.jobs.finish(jobId, job.status, job.result, job.error);
        this.unsaved.delete(jobId);
      } catch {
        return; // still failing: try again with the next outcome
      }
    }
  }

  private relay(workflowId: string, event: RunEvent): void {
    if (event.type === 'job_update' && event.status !== 'running') return;
    const live = this.live.get(event.job_id);
    if (live && event.type === 'node_update') live[event.node_id] = { status: event.status, ...(event.worker ? { worker: event.worker } : {}) };
    if (live && event.type === 'node_progress')
      live[event.node_id] = { ...live[event.node_id], status: 'running', progress: event.progress, total: event.total };
    this.emitEvent({ ...event, workflow_id: workflowId } satisfies UnnumberedRunEvent);
  }

  /**
   * Numbers the event and keeps it (RunEventLog), then hands it to the listeners with its JSON text.
   * A listener that throws (a client gone mid-send) must not end the run that emitted the event.
   */
  private emitEvent(unnumbered: UnnumberedRunEvent): void {
    const { event, text } = this.events.append(unnumbered);
    if (event.type === 'job_update' && isFinalJobStatus(event.status)) {
      this.events.end(event.job_id);
      this.settleHandedOff(event);
    }
    try {
      this.emit('event', event, text);
    } catch (error) {
      this.options.log?.(`an event listener failed: ${(error as Error).message}`);
    }
  }

  /** The events of a job after `lastSeq` that the server still holds, or null when it holds none of them. */
  eventsSince(jobId: string, lastSeq: number): EventsSince | null {
    return this.events.since(jobId, lastSeq);
  }
}

/** What a run needs of a worker: its Python node types, and the models its nodes name. */
function needsOf({ graph, catalog }: PreparedRun, group?: string): RunNeeds {
  const nodeTypes = new Set<string>();
  for (const node of graph.nodes) if (catalog.lookup(node.type)?.kind === 'python') nodeTypes.add(node.type);
  return { nodeTypes: [...nodeTypes], models: modelsOfGraph(graph, catalog).map(modelKey), ...(group ? { group } : {}) };
}

/** The node types of a graph that only a worker runs (everything not built in), before any catalog is known. */
function pythonTypesOf(graph: { nodes: ReadonlyArray<{ type: string }> }): string[] {
  return [...new Set(graph.nodes.map((node) => node.type).filter((type) => !isBuiltinType(type)))];
}

/** What another replica needs to run a run recorded here: the workflow and the run's options. */
export function runSpecOf(workflow: Workflow, models: RunModelOptions): string {
  return JSON.stringify({ workflow, models });
}
