import type { RunRequest as RunRequestBody } from '@nt/api-contract';
import { checkGraphLimits, InvalidKeepAliveError, loadWorkflow, parseKeepAlive, type KeepAliveMs, type Workflow } from '@nt/runtime';
import type { ServerConfig } from '../config.js';
import type { WorkflowStore } from '@nt/data';
import { InvalidRequestError, WorkflowNotFoundError } from '../errors.js';

/** A run as the server understands it, whichever way it was asked for. */
export interface RunRequest {
  workflow: Workflow;
  params: Record<string, unknown>;
  jobId?: string;
  /** HTTP only: answer with the finished job instead of 202. */
  wait: boolean;
  /** How the run treats models; unset fields take the server's defaults. */
  models: RunModelOptions;
}

/** How the run treats models and where it may run; unset fields take the server's defaults. */
export interface RunModelOptions {
  /** `keep_alive`: how long the run's models stay loaded after it. */
  keepAliveMs?: KeepAliveMs;
  /** `download_missing: false`: a model the worker lacks fails the run instead of being downloaded. */
  downloadMissing?: boolean;
  /** `retry_on_worker_loss: true`: a node whose worker was lost while it ran runs once more on another worker. */
  retryOnWorkerLoss?: boolean;
  /** The worker group it runs on (`group`, or the workflow's settings.worker_group). */
  group?: string;
}

/** What reading a run request needs: the saved workflows and the graph limits. */
export interface RunRequestDeps {
  workflows: Pick<WorkflowStore, 'get'>;
  config: Pick<ServerConfig, 'graphLimits'>;
}

/**
 * The one reading of a run request, for POST /api/run, POST /api/workflows/:id/run and the WebSocket's
 * run_job alike, after the contract's RunRequest schema checked its fields: a saved workflow by id or an
 * inline graph (size-checked before it is read), and the keep-alive in the runtime's syntax.
 */
export async function readRunRequest(app: RunRequestDeps, body: Partial<RunRequestBody>, savedWorkflowId?: string): Promise<RunRequest> {
  return {
    workflow: await workflowOf(app, body, savedWorkflowId),
    params: body.params ?? {},
    ...(body.job_id !== undefined ? { jobId: body.job_id } : {}),
    wait: body.wait === true,
    models: {
      ...(body.keep_alive !== undefined ? { keepAliveMs: keepAliveOf(body.keep_alive) } : {}),
      ...(body.download_missing !== undefined ? { downloadMissing: body.download_missing } : {}),
      ...(body.retry_on_worker_loss !== undefined ? { retryOnWorkerLoss: body.retry_on_worker_loss } : {}),
      ...(body.group !== undefined ? { group: body.group } : {}),
    },
  };
}

function keepAliveOf(value: string | number): KeepAliveMs {
  try {
    return parseKeepAlive(value, '"keep_alive"');
  } catch (error) {
    if (error instanceof InvalidKeepAliveError) throw new InvalidRequestError(error.message);
    throw error;
  }
}

async function workflowOf(app: RunRequestDeps, body: Partial<RunRequestBody>, savedWorkflowId?: string): Promise<Workflow> {
  const document = body.graph ?? body.workflow;
  const workflowId = savedWorkflowId ?? body.workflow_id;
  if (document === undefined) {
    if (workflowId === undefined) throw new InvalidRequestError('a run needs a "workflow_id", a "graph" ({nodes, edges}) or a "workflow" document');
    const stored = await app.workflows.get(workflowId);
    if (!stored) throw new WorkflowNotFoundError(workflowId);
    return loadWorkflow(stored.document, `workflow ${stored.id}`);
  }
  if (savedWorkflowId !== undefined) throw new InvalidRequestError('a saved workflow runs as saved: send "params", not a "graph"');
  checkGraphLimits(document, app.config.graphLimits);
  const workflow = loadWorkflow(document, 'graph');
  return workflowId !== undefined ? { ...workflow, id: workflowId } : workflow;
}
