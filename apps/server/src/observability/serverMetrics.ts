import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GuardEventInfo, RentedWorkerInfo, ServerRunEvent } from '@nt/api-contract';
import type { PoolMember } from '../workers/poolMember.js';

/** What the metrics read when Prometheus scrapes: the live state, never a copy of it. */
export interface MetricSources {
  runsQueued(): number;
  runsRunning(): number;
  workers(): PoolMember[];
  rented(): RentedWorkerInfo[];
  assets(): { count: number; bytes: number };
}

/** The worker states /health reports; each worker has 1 in its current one and 0 in the others. */
const WORKER_STATES = ['connecting', 'connected', 'reconnecting', 'unreachable', 'token_rejected', 'stopped'] as const;
const RENTED_STATES = ['creating', 'provisioning', 'running', 'stopped', 'destroyed', 'failed'] as const;

// Runs take from milliseconds (pure TS) to many minutes (a video model); nodes likewise.
const RUN_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const WAIT_SECONDS = [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300];

/**
 * Every metric the server exports on GET /metrics (prom-client). Labels are bounded: a status, a node
 * type of the catalog, a worker of the pool, a provider; never a job id or a user's text.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly runsStarted: Counter;
  private readonly runsFinished: Counter<'status'>;
  private readonly runDuration: Histogram<'status'>;
  private readonly queueWait: Histogram;
  private readonly nodeExecutions: Counter<'node_type' | 'worker' | 'status'>;
  private readonly nodeDuration: Histogram<'node_type' | 'worker'>;
  private readonly guardActions: Counter<'action' | 'reason'>;
  /** When each queued run was queued, until it starts (or ends without starting). */
  private readonly queuedAt = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    this.runsStarted = new Counter({ name: 'nodetool_runs_started_total', help: 'Runs that started executing.', registers });
    this.runsFinished = new Counter({ name: 'nodetool_runs_finished_total', help: 'Runs that ended, by status.', labelNames: ['status'], registers });
    this.runDuration = new Histogram({
      name: 'nodetool_run_duration_seconds',
      help: 'From a run starting to its end, by status.',
      labelNames: ['status'],
      buckets: RUN_SECONDS,
      registers,
    });
    this.queueWait = new Histogram({
      name: 'nodetool_run_queue_wait_seconds',
      help: 'How long a run waited in the queue before it started (0 for one that started at once).',
      buckets: WAIT_SECONDS,
      registers,
    });
    gauge('nodetool_runs_queued', 'Runs waiting in the queue.', [], (set) => set({}, sources.runsQueued()));
    gauge('nodetool_runs_running', 'Runs executing now.', [], (set) => set({}, sources.runsRunning()));

    this.nodeExecutions = new Counter({
      name: 'nodetool_node_executions_total',
      help: 'Node executions that ended, by node type, worker ("" for nodes the server ran) and status.',
      labelNames: ['node_type', 'worker', 'status'],
      registers,
    });
    this.nodeDuration = new Histogram({
      name: 'nodetool_node_duration_seconds',
      help: 'How long a node execution took, by node type and worker.',
      labelNames: ['node_type', 'worker'],
      buckets: RUN_SECONDS,
      registers,
    });

    /** One series per worker: a value now (a gauge) or a running total kept by the worker's objects (a counter). */
    const perWorker = (kind: 'gauge' | 'counter', name: string, help: string, read: (member: PoolMember) => number | null) =>
      (kind === 'gauge' ? gauge : counterFrom)(name, help, ['worker'], (put) => {
        for (const member of sources.workers()) {
          const value = read(member);
          if (value !== null) put({ worker: member.id }, value);
        }
      });
    gauge('nodetool_worker_state', 'Each worker’s connection state: 1 for the state it is in.', ['worker', 'state'], (set) => {
      for (const member of sources.workers()) {
        const current = member.supervisor.status().state;
        for (const state of WORKER_STATES) set({ worker: member.id, state }, state === current ? 1 : 0);
      }
    });
    perWorker('gauge', 'nodetool_worker_runs_in_flight', 'Runs executing on each worker.', (member) => member.runsInFlight);
    perWorker('gauge', 'nodetool_worker_run_limit', 'Each worker’s max_concurrent_runs (absent: no limit of its own).', (member) => member.maxConcurrentRuns);
    perWorker(
      'counter',
      'nodetool_worker_reconnects_total',
      'Times each worker came back after its connection was lost.',
      (member) => member.supervisor.reconnects,
    );
    perWorker('gauge', 'nodetool_worker_round_trip_seconds', 'The last worker.status round trip to each worker.', (member) => {
      const ms = member.supervisor.status().last_round_trip_ms;
      return ms === null ? null : ms / 1000;
    });
    perWorker(
      'counter',
      'nodetool_worker_sent_bytes_total',
      'Bytes of frames sent to each worker (since the server started).',
      (member) => member.supervisor.connection?.traffic?.sentBytes ?? null,
    );
    perWorker(
      'counter',
      'nodetool_worker_received_bytes_total',
      'Bytes of frames received from each worker (since the server started).',
      (member) => member.supervisor.connection?.traffic?.receivedBytes ?? null,
    );
    perWorker(
      'counter',
      'nodetool_model_keepalive_hits_total',
      'Runs that found their models still loaded on the worker (the keep-alive held them).',
      (member) => member.models.stats().hits,
    );
    perWorker(
      'counter',
      'nodetool_model_keepalive_misses_total',
      'Runs that had the worker load their models (nothing kept them): model loads.',
      (member) => member.models.stats().misses,
    );
    perWorker('gauge', 'nodetool_models_resident', 'Model sets each worker keeps loaded now.', (member) => member.models.resident().length);

    gauge('nodetool_rented_workers', 'Rented workers by provider and state.', ['provider', 'state'], (set) => {
      const rented = sources.rented();
      const providers = new Set(rented.map((worker) => worker.provider));
      for (const provider of providers)
        for (const state of RENTED_STATES) set({ provider, state }, rented.filter((worker) => worker.provider === provider && worker.state === state).length);
    });
    const live = () => sources.rented().filter((worker) => worker.state !== 'destroyed');
    gauge('nodetool_rented_price_per_hour_dollars', 'The hourly price of each rented worker not destroyed.', ['worker', 'provider'], (set) => {
      for (const worker of live()) if (worker.price_per_hour !== null) set({ worker: worker.id, provider: worker.provider }, worker.price_per_hour);
    });
    gauge('nodetool_rented_cost_dollars', 'What each rented worker not destroyed has cost so far (USD).', ['worker', 'provider'], (set) => {
      for (const worker of live()) set({ worker: worker.id, provider: worker.provider }, worker.cost_so_far);
    });
    this.guardActions = new Counter({
      name: 'nodetool_cost_guard_actions_total',
      help: 'What the cost guard did (stop, start, destroy, report, and their -failed forms), by reason.',
      labelNames: ['action', 'reason'],
      registers,
    });

    gauge('nodetool_assets_stored', 'Assets (results and uploads) kept in the folder or the bucket.', [], (set) => set({}, sources.assets().count));
    gauge('nodetool_asset_stored_bytes', 'Bytes of the assets kept.', [], (set) => set({}, sources.assets().bytes));

    /** A counter whose running total lives elsewhere (a bridge's byte count), read at scrape time. */
    function counterFrom<L extends string>(
      name: string,
      help: string,
      labelNames: L[],
      fill: (add: (labels: Partial<Record<L, string>>, value: number) => void) => void,
    ): void {
      new Counter<L>({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          fill((labels, value) => this.inc(labels, value));
        },
      });
    }

    /** A gauge read at scrape time: `fill` sets every series that exists now; series that went away go. */
    function gauge<L extends string>(
      name: string,
      help: string,
      labelNames: L[],
      fill: (set: (labels: Partial<Record<L, string>>, value: number) => void) => void,
    ): void {
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          fill((labels, value) => this.set(labels, value));
        },
      });
    }
  }

  /** A run event, as the job manager emits it. */
  observeRun(event: ServerRunEvent): void {
    const now = performance.now();
    if (event.type === 'job_update') {
      if (event.status === 'queued') this.queuedAt.set(event.job_id, now);
      else if (event.status === 'running') {
        const queued = this.queuedAt.get(event.job_id);
        this.queuedAt.delete(event.job_id);
        this.queueWait.observe(queued === undefined ? 0 : (now - queued) / 1000);
        this.runsStarted.inc();
        this.startedAt.set(event.job_id, now);
      } else {
        this.queuedAt.delete(event.job_id);
        const started = this.startedAt.get(event.job_id);
        this.startedAt.delete(event.job_id);
        this.runsFinished.inc({ status: event.status });
        if (started !== undefined) this.runDuration.observe({ status: event.status }, (now - started) / 1000);
      }
    } else if (event.type === 'node_update' && event.status !== 'running') {
      const labels = { node_type: event.node_type, worker: event.worker ?? '' };
      this.nodeExecutions.inc({ ...labels, status: event.status });
      if (event.duration_ms !== undefined) this.nodeDuration.observe(labels, event.duration_ms / 1000);
    }
  }

  /** A cost-guard action (or a failed creation's clean-up). */
  observeGuard(event: GuardEventInfo): void {
    this.guardActions.inc({ action: event.action, reason: event.reason });
  }

  /** The exposition text and its media type, for GET /metrics. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
