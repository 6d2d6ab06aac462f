import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import {
  graphNeedsWorker,
  prepareGraph,
  prepareRun,
  runPrepared,
  toJsonValue,
  type PreparedRun,
  type RunEvent,
  type SecretPolicy,
  type Workflow,
} from '@nt/runtime';
import type { ServerRunEvent } from '@nt/api-contract';
import { JobExistsError, TooManyRunsError, WorkerUnavailableError } from '../errors.js';
import type { ModelService } from '../models/modelService.js';
import type { RunModelOptions } from '../runs/runRequest.js';
import type { JobStore, StoredJob } from '../store/jobStore.js';
import type { WorkerSupervisor } from '../worker/workerSupervisor.js';

export type { ServerRunEvent } from '@nt/api-contract';

export interface JobManagerOptions {
  maxConcurrentRuns: number;
  /** Runs that wait, first in first out, while the concurrent ones go; more are refused (429). */
  maxQueuedRuns?: number;
  secretPolicy?: SecretPolicy;
  /** The keep-alive and the default keep-alive of runs; without it a run's models are released at its end. */
  models?: ModelService;
  log?: (line: string) => void;
}

/**
 * Starts runs on the supervisor's bridge, persists them, and re-emits their
 * events (`event`) for WebSocket clients. Validation happens before a job
 * exists, so a bad graph is refused without leaving a half-made run behind.
 * Nothing a run does can take the server down: a store that fails, a worker
 * that dies, an executor that throws all end as that run's failure.
 */
export class JobManager extends EventEmitter {
  private readonly active = new Map<string, { controller: AbortController; done: Promise<StoredJob> }>();
  private readonly live = new Map<string, Record<string, { status: string; progress?: number; total?: number }>>();
  /** Outcomes the store refused (disk full, locked): served from memory, written again with the next outcome. */
  private readonly unsaved = new Map<string, StoredJob>();
  /** Runs waiting for a slot, oldest first; each keeps the promise its caller holds. */
  private readonly queue: Array<{
    jobId: string;
    workflow: Workflow;
    params: Record<string, unknown>;
    models: RunModelOptions;
    settle: (job: StoredJob) => void;
  }> = [];
  private accepting = true;

  constructor(
    private readonly jobs: JobStore,
    private readonly supervisor: WorkerSupervisor,
    private readonly options: JobManagerOptions = { maxConcurrentRuns: 32 },
  ) {
    super();
  }

  /**
   * Validates, records and starts a run, or queues it when NODETOOL_MAX_CONCURRENT_RUNS run already.
   * Throws (GraphValidationError, WorkerUnavailableError, TooManyRunsError, ...) before anything is saved.
   */
  start(
    workflow: Workflow,
    params: Record<string, unknown> = {},
    jobId = `job-${randomUUID()}`,
    models: RunModelOptions = {},
  ): { jobId: string; done: Promise<StoredJob> } {
    if (!this.accepting) throw new WorkerUnavailableError('the server is shutting down');
    if (this.active.has(jobId) || this.queue.some((queued) => queued.jobId === jobId) || this.jobs.get(jobId)) {
      throw new JobExistsError(jobId);
    }
    const prepared = this.prepare(workflow, params);
    if (this.active.size < this.options.maxConcurrentRuns) {
      this.jobs.create({ id: jobId, workflow_id: workflow.id, graph: workflow.graph, params });
      return { jobId, done: this.launch(prepared, jobId, models) };
    }
    if (this.queue.length >= (this.options.maxQueuedRuns ?? 1000)) {
      throw new TooManyRunsError(
        `${this.active.size} runs are in progress and ${this.queue.length} wait, the most this server takes (NODETOOL_MAX_CONCURRENT_RUNS, NODETOOL_MAX_QUEUED_RUNS); try again when one finishes`,
      );
    }
    this.jobs.create({ id: jobId, workflow_id: workflow.id, graph: workflow.graph, params }, 'queued');
    const done = new Promise<StoredJob>((settle) => this.queue.push({ jobId, workflow, params, models, settle }));
    this.emitEvent({ type: 'job_update', job_id: jobId, workflow_id: workflow.id, status: 'queued' });
    return { jobId, done };
  }

  /** Structure, worker availability and the worker's catalog: everything that can be refused before a run exists. */
  private prepare(workflow: Workflow, params: Record<string, unknown>): PreparedRun {
    const bridge = this.supervisor.bridge;
    const graph = prepareGraph(workflow, params);
    if (!bridge && graphNeedsWorker(graph)) {
      const health = this.supervisor.status();
      throw new WorkerUnavailableError(
        `the workflow needs the Python worker, which is ${health.state.replace('_', ' ')}${health.error ? ` (${health.error})` : ''}`,
      );
    }
    return prepareRun(workflow, graph, bridge?.getNodeMetadata() ?? []);
  }

  private launch(prepared: PreparedRun, jobId: string, models: RunModelOptions): Promise<StoredJob> {
    const controller = new AbortController();
    this.live.set(jobId, {});
    const done = this.execute(prepared, jobId, controller.signal, models);
    this.active.set(jobId, { controller, done });
    void done
      .finally(() => {
        this.active.delete(jobId);
        this.live.delete(jobId);
        this.startQueued();
      })
      .catch(() => undefined);
    return done;
  }

  /** Fills free slots from the queue, oldest first. Each is checked again: the worker may have changed meanwhile. */
  private startQueued(): void {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      if (!this.accepting || this.active.size >= this.options.maxConcurrentRuns) {
        this.queue.unshift(next);
        return;
      }
      let prepared: PreparedRun;
      try {
        prepared = this.prepare(next.workflow, next.params);
      } catch (error) {
        next.settle(this.finishWithoutRunning(next.jobId, next.workflow.id, 'failed', (error as Error).message));
        continue;
      }
      try {
        this.jobs.markRunning(next.jobId);
      } catch {
        // The outcome is what matters; a status the store missed is corrected when the run ends.
      }
      void this.launch(prepared, next.jobId, next.models).then(next.settle);
    }
  }

  /** A queued run that ends before it starts (cancelled, refused, shutdown): stored and announced like any other. */
  private finishWithoutRunning(jobId: string, workflowId: string, status: 'failed' | 'cancelled', error: string): StoredJob {
    const job = this.record(jobId, status, null, error);
    this.emitEvent({ type: 'job_update', job_id: jobId, workflow_id: workflowId, status, error });
    return job;
  }

  /** Aborts a running job, or takes a queued one out of the queue; false when it is neither. */
  cancel(jobId: string): boolean {
    const run = this.active.get(jobId);
    if (run) {
      run.controller.abort(new Error('cancelled by request'));
      return true;
    }
    const index = this.queue.findIndex((queued) => queued.jobId === jobId);
    const [queued] = index < 0 ? [] : this.queue.splice(index, 1);
    if (!queued) return false;
    queued.settle(this.finishWithoutRunning(jobId, queued.workflow.id, 'cancelled', 'cancelled while queued'));
    return true;
  }

  /** The stored job, with live per-node states while it runs. */
  get(jobId: string): (StoredJob & { nodes?: Record<string, unknown> }) | null {
    const unsaved = this.unsaved.get(jobId);
    if (unsaved) return unsaved;
    const job = this.jobs.get(jobId);
    if (!job) return null;
    const live = this.live.get(jobId);
    return live ? { ...job, nodes: live } : job;
  }

  get runningCount(): number {
    return this.active.size;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  /**
   * For shutdown: takes no new runs, cancels the ones in flight and waits up to `timeoutMs` for them
   * to end. Any still going then are recorded as failed (a worker that ignores cancel must not hold
   * the server up). Resolves with how many had to be failed that way.
   */
  async shutdown(timeoutMs: number): Promise<number> {
    this.accepting = false;
    for (const queued of this.queue.splice(0))
      queued.settle(this.finishWithoutRunning(queued.jobId, queued.workflow.id, 'cancelled', 'the server shut down before the run started'));
    const runs = [...this.active.entries()];
    for (const [, run] of runs) run.controller.abort(new Error('the server is shutting down'));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([Promise.allSettled(runs.map(([, run]) => run.done)).then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'done') return 0;
    let failed = 0;
    for (const [jobId] of runs) {
      if (!this.active.has(jobId)) continue;
      failed++;
      this.record(jobId, 'failed', null, `the server shut down before the run finished (it did not stop within ${timeoutMs} ms of being cancelled)`);
    }
    return failed;
  }

  private async execute(prepared: PreparedRun, jobId: string, signal: AbortSignal, models: RunModelOptions): Promise<StoredJob> {
    const { workflow } = prepared;
    let status: 'completed' | 'failed' | 'cancelled';
    let result: StoredJob['result'] = null;
    let error: string | null;
    try {
      const outcome = await runPrepared(prepared, this.supervisor.bridge, {
        jobId,
        signal,
        secretPolicy: this.options.secretPolicy,
        keepAlive: this.options.models?.keepAlive() ?? undefined,
        keepAliveMs: models.keepAliveMs ?? this.options.models?.defaultKeepAliveMs,
        downloadMissing: models.downloadMissing,
        onEvent: (event) => this.relay(workflow.id, event),
      });
      status = outcome.status;
      result = toJsonValue({ outputs: outcome.outputs, nodes: outcome.nodes, duration_ms: outcome.duration_ms }) as StoredJob['result'];
      error = outcome.error ?? null;
    } catch (failure) {
      // Validation passed at start; this is the worker vanishing between the check and the run, or a bug.
      status = 'failed';
      error = (failure as Error).message;
    }
    const job = this.record(jobId, status, result, error);
    // The final job_update goes out only once the outcome is stored, so a client that reads the job next sees it.
    this.emitEvent({
      type: 'job_update',
      job_id: jobId,
      workflow_id: workflow.id,
      status: job.status as 'completed' | 'failed' | 'cancelled',
      ...(job.error ? { error: job.error } : {}),
      ...(job.result ? { duration_ms: job.result.duration_ms, outputs: job.result.outputs } : {}),
    });
    return job;
  }

  /**
   * Stores a run's outcome. A store that cannot write (disk full, database locked or read-only) does not
   * lose the outcome for the clients watching: the run is reported failed with both errors.
   */
  private record(jobId: string, status: StoredJob['status'], result: StoredJob['result'], error: string | null): StoredJob {
    let storeError: string;
    try {
      this.jobs.finish(jobId, status, result, error);
      const stored = this.jobs.get(jobId);
      if (stored) {
        this.retryUnsaved();
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

  private retryUnsaved(): void {
    for (const [jobId, job] of this.unsaved) {
      try {
        this.jobs.finish(jobId, job.status, job.result, job.error);
        this.unsaved.delete(jobId);
      } catch {
        return; // still failing: try again with the next outcome
      }
    }
  }

  private relay(workflowId: string, event: RunEvent): void {
    if (event.type === 'job_update' && event.status !== 'running') return;
    const live = this.live.get(event.job_id);
    if (live && event.type === 'node_update') live[event.node_id] = { status: event.status };
    if (live && event.type === 'node_progress') live[event.node_id] = { status: 'running', progress: event.progress, total: event.total };
    // Left as is: the WebSocket hub converts values to JSON only when someone listens.
    this.emitEvent({ ...event, workflow_id: workflowId } satisfies ServerRunEvent);
  }

  /** A listener that throws (a client gone mid-send) must not end the run that emitted the event. */
  private emitEvent(event: ServerRunEvent): void {
    try {
      this.emit('event', event);
    } catch (error) {
      this.options.log?.(`an event listener failed: ${(error as Error).message}`);
    }
  }
}
