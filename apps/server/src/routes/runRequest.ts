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
  const jobId = checkJobId(body['job_id']);
  const wait = body['wait'] === true || query.get('wait') === 'true';
  const started = app.runs.start(workflow, params as Record<string, unknown>, jobId);
  if (!wait) return { status: 202, body: { job_id: started.jobId, status: app.runs.get(started.jobId)?.status ?? 'running' } };
  return { status: 200, body: await started.done };
}

/** A caller-chosen job id: 1-100 letters, digits, "_", "-" or "." (it appears in URLs and logs). */
export function checkJobId(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[\w.-]{1,100}$/.test(value)) throw new HttpError(400, '"job_id" must be 1-100 letters, digits, "_", "-" or "."');
  return value;
}
