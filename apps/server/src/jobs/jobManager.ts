import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { isBuiltinType, prepareGraph, prepareRun, runPrepared, toJsonValue, type PreparedRun, type RunEvent, type Workflow } from '@nt/runtime';
import type { JobStore, StoredJob } from '../store/jobStore.js';
import type { WorkerSupervisor } from '../worker/workerSupervisor.js';

/** A run needs Python nodes but no worker is connected. */
export class WorkerUnavailableError extends Error {
  readonly code = 'SERVER_ERR_WORKER_UNAVAILABLE';
}

/** Run events as the server sends them: JSON-safe, with the workflow id on every one. */
export type ServerRunEvent = RunEvent & { workflow_id: string };

/**
 * Starts runs on the supervisor's bridge, persists them, and re-emits their
 * events (`event`) for WebSocket clients. Validation happens before a job
 * exists, so a bad graph is refused without leaving a half-made run behind.
 */
export class JobManager extends EventEmitter {
  private readonly active = new Map<string, { controller: AbortController; done: Promise<StoredJob> }>();
  private readonly live = new Map<string, Record<string, { status: string; progress?: number; total?: number }>>();

  constructor(
    private readonly jobs: JobStore,
    private readonly supervisor: WorkerSupervisor,
  ) {
    super();
  }

  /** Validates, records and starts a run; throws GraphValidationError or WorkerUnavailableError before anything is saved. */
  start(workflow: Workflow, params: Record<string, unknown> = {}, jobId: string = `job-${randomUUID()}`): { jobId: string; done: Promise<StoredJob> } {
    if (this.active.has(jobId) || this.jobs.get(jobId)) throw new RangeError(`a job with id "${jobId}" already exists`);
    const bridge = this.supervisor.bridge;
    const graph = prepareGraph(workflow, params);
    if (!bridge && graph.nodes.some((node) => !isBuiltinType(node.type))) {
      const health = this.supervisor.status();
      throw new WorkerUnavailableError(`the workflow needs the Python worker, which is ${health.state.replace('_', ' ')}${health.error ? ` (${health.error})` : ''}`);
    }
    const prepared = prepareRun(workflow, graph, bridge?.getNodeMetadata() ?? []);

    this.jobs.create({ id: jobId, workflow_id: workflow.id, graph: workflow.graph, params });
    const controller = new AbortController();
    this.live.set(jobId, {});
    const done = this.execute(prepared, jobId, controller.signal);
    this.active.set(jobId, { controller, done });
    void done.finally(() => {
      this.active.delete(jobId);
      this.live.delete(jobId);
    });
    return { jobId, done };
  }

  /** Aborts a running job; false when it is not running. */
  cancel(jobId: string): boolean {
    const run = this.active.get(jobId);
    if (!run) return false;
    run.controller.abort(new Error('cancelled by request'));
    return true;
  }

  /** The stored job, with live per-node states while it runs. */
  get(jobId: string): (StoredJob & { nodes?: Record<string, unknown> }) | null {
    const job = this.jobs.get(jobId);
    if (!job) return null;
    const live = this.live.get(jobId);
    return live ? { ...job, nodes: live } : job;
  }

  get runningCount(): number {
    return this.active.size;
  }

  /** Aborts every run, for shutdown. */
  async cancelAll(): Promise<void> {
    const runs = [...this.active.values()];
    for (const run of runs) run.controller.abort(new Error('the server is shutting down'));
    await Promise.allSettled(runs.map((run) => run.done));
  }

  private async execute(prepared: PreparedRun, jobId: string, signal: AbortSignal): Promise<StoredJob> {
    const { workflow } = prepared;
    try {
      const result = await runPrepared(prepared, this.supervisor.bridge, { jobId, signal, onEvent: (event) => this.relay(workflow.id, event) });
      const json = toJsonValue({ outputs: result.outputs, nodes: result.nodes, duration_ms: result.duration_ms }) as StoredJob['result'];
      this.jobs.finish(jobId, result.status, json, result.error ?? null);
    } catch (error) {
      // Validation passed at start; this is the worker vanishing between the check and the run.
      this.jobs.finish(jobId, 'failed', null, (error as Error).message);
    }
    const job = this.jobs.get(jobId) as StoredJob;
    // The final job_update goes out only once the outcome is stored, so a client that reads the job next sees it.
    this.emit('event', {
      type: 'job_update',
      job_id: jobId,
      workflow_id: workflow.id,
      status: job.status as 'completed' | 'failed' | 'cancelled',
      ...(job.error ? { error: job.error } : {}),
      ...(job.result ? { duration_ms: job.result.duration_ms, outputs: job.result.outputs } : {}),
    } as ServerRunEvent);
    return job;
  }

  private relay(workflowId: string, event: RunEvent): void {
    if (event.type === 'job_update' && event.status !== 'running') return;
    const live = this.live.get(event.job_id);
    if (live && event.type === 'node_update') live[event.node_id] = { status: event.status };
    if (live && event.type === 'node_progress') live[event.node_id] = { status: 'running', progress: event.progress, total: event.total };
    // Left as is: the WebSocket hub converts values to JSON only when someone listens.
    this.emit('event', { ...event, workflow_id: workflowId } satisfies ServerRunEvent);
  }
}
