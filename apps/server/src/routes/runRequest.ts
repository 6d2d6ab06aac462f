import type { Workflow } from '@nt/runtime';
import type { App } from '../app.js';
import { HttpError } from '../http/httpError.js';
import type { RouteResult } from '../http/router.js';

/**
 * Starts a run from a request body `{params?, wait?, job_id?}` (or `?wait=true`).
 * With wait, answers with the finished job; otherwise 202 with its id.
 */
export async function startRun(app: App, workflow: Workflow, body: Record<string, unknown>, query: URLSearchParams): Promise<RouteResult> {
  const params = body['params'] ?? {};
  if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new HttpError(400, '"params" must be an object');
  const jobId = body['job_id'];
  if (jobId !== undefined && (typeof jobId !== 'string' || !/^[\w.-]{1,100}$/.test(jobId))) {
    throw new HttpError(400, '"job_id" must be 1-100 letters, digits, "_", "-" or "."');
  }
  const wait = body['wait'] === true || query.get('wait') === 'true';
  let started: ReturnType<App['runs']['start']>;
  try {
    started = app.runs.start(workflow, params as Record<string, unknown>, jobId as string | undefined);
  } catch (error) {
    if (error instanceof RangeError) throw new HttpError(409, error.message);
    throw error;
  }
  if (!wait) return { status: 202, body: { job_id: started.jobId, status: 'running' } };
  return { status: 200, body: await started.done };
}
