import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { GuardEventInfo, RentedWorkerInfo, ServerRunEvent } from '@nt/api-contract';
import type { PoolMember } from '../workers/poolMember.js';
import { addRentedMetrics, addWorkerMetrics } from './poolMetrics.js';
import { scrapedGauge } from './scrapedMetrics.js';

/** What the metrics read when Prometheus scrapes: the live state, never a copy of it. */
export interface MetricSources {
  /** The waiting runs by what they need: the namespace of their nodes, the worker group, the GPU memory. */
  runsQueued(): Array<{ labels: { node_namespace: string; group: string; vram: string }; count: number }>;
  runsRunning(): number;
  workers(): PoolMember[];
  rented(): Promise<RentedWorkerInfo[]>;
  assets(): Promise<{ count: number; bytes: number }>;
}

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
    // By what the runs need, so an autoscaler (KEDA, an HPA) scales the workers that can take them; sum() for the whole queue.
    scrapedGauge(
      this.registry,
      'nodetool_runs_queued',
      'Runs waiting in the queue, by the namespace of their nodes (node_namespace), the worker group and the GPU memory they need.',
      ['node_namespace', 'group', 'vram'],
      (set) => {
        const queued = sources.runsQueued();
        // An empty queue is a 0, not a missing series: a scaler reading it sees "nothing waits", not "no data".
        if (!queued.length) set({ node_namespace: 'none', group: 'none', vram: 'any' }, 0);
        for (const { labels, count } of queued) set(labels, count);
      },
    );
    scrapedGauge(this.registry, 'nodetool_runs_running', 'Runs executing now.', [], (set) => set({}, sources.runsRunning()));

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

    addWorkerMetrics(this.registry, sources.workers);
    addRentedMetrics(this.registry, sources.rented);
    this.guardActions = new Counter({
      name: 'nodetool_cost_guard_actions_total',
      help: 'What the cost guard did (stop, start, destroy, report, and their -failed forms), by reason.',
      labelNames: ['action', 'reason'],
      registers,
    });

    scrapedGauge(this.registry, 'nodetool_assets_stored', 'Assets (results and uploads) kept in the folder or the bucket.', [], async (set) =>
      set({}, (await sources.assets()).count),
    );
    scrapedGauge(this.registry, 'nodetool_asset_stored_bytes', 'Bytes of the assets kept.', [], async (set) => set({}, (await sources.assets()).bytes));
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
