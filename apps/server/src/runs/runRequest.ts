import { checkGraphLimits, InvalidKeepAliveError, loadWorkflow, parseKeepAlive, type KeepAliveMs, type Workflow } from '@nt/runtime';
import type { App } from '../app.js';
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

export interface RunModelOptions {
  /** `keep_alive`: how long the run's models stay loaded after it. */
  keepAliveMs?: KeepAliveMs;
  /** `download_missing: false`: a model the worker lacks fails the run instead of being downloaded. */
  downloadMissing?: boolean;
  /** `retry_on_worker_loss: true`: a node whose worker was lost while it ran runs once more on another worker. */
  retryOnWorkerLoss?: boolean;
}

/**
 * The one reading of a run request, for POST /api/run, POST /api/workflows/:id/run and the WebSocket's
 * run_job alike: a saved workflow by id or an inline graph (size-checked before it is read), `params`
 * an object, `job_id` a safe id. Everything wrong is an InvalidRequestError naming the field.
 */
export function readRunRequest(app: App, body: Record<string, unknown>, savedWorkflowId?: string): RunRequest {
  const params = body['params'] ?? {};
  if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new InvalidRequestError('"params" must be an object');
  return {
    workflow: workflowOf(app, body, savedWorkflowId),
    params: params as Record<string, unknown>,
    jobId: checkJobId(body['job_id']),
    wait: body['wait'] === true,
    models: readModelOptions(body),
  };
}

function readModelOptions(body: Record<string, unknown>): RunModelOptions {
  const options: RunModelOptions = {};
  if (body['keep_alive'] !== undefined) {
    try {
      options.keepAliveMs = parseKeepAlive(body['keep_alive'], '"keep_alive"');
    } catch (error) {
      if (error instanceof InvalidKeepAliveError) throw new InvalidRequestError(error.message);
      throw error;
    }
  }
  const download = body['download_missing'];
  if (download !== undefined && typeof download !== 'boolean') throw new InvalidRequestError('"download_missing" must be true or false');
  if (download !== undefined) options.downloadMissing = download;
  const retry = body['retry_on_worker_loss'];
  if (retry !== undefined && typeof retry !== 'boolean') throw new InvalidRequestError('"retry_on_worker_loss" must be true or false');
  if (retry !== undefined) options.retryOnWorkerLoss = retry;
  return options;
}

function workflowOf(app: App, body: Record<string, unknown>, savedWorkflowId?: string): Workflow {
  const document = body['graph'] ?? body['workflow'];
  const workflowId = savedWorkflowId ?? (typeof body['workflow_id'] === 'string' ? body['workflow_id'] : undefined);
  if (document === undefined) {
    if (workflowId === undefined) throw new InvalidRequestError('a run needs a "workflow_id", a "graph" ({nodes, edges}) or a "workflow" document');
    const stored = app.workflows.get(workflowId);
    if (!stored) throw new WorkflowNotFoundError(workflowId);
    return loadWorkflow(stored.document, `workflow ${stored.id}`);
  }
  if (savedWorkflowId !== undefined) throw new InvalidRequestError('a saved workflow runs as saved: send "params", not a "graph"');
  checkGraphLimits(document, app.config.graphLimits);
  const workflow = loadWorkflow(document, 'graph');
  return workflowId !== undefined ? { ...workflow, id: workflowId } : workflow;
}

/** A caller-chosen job id: 1-100 letters, digits, "_", "-" or "." (it appears in URLs and logs). */
export function checkJobId(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[\w.-]{1,100}$/.test(value)) throw new InvalidRequestError('"job_id" must be 1-100 letters, digits, "_", "-" or "."');
  return value;
}
