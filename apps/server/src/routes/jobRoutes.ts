import type { App } from '../app.js';
import { JobNotFoundError, JobNotRunningError } from '../errors.js';
import { readJsonBody } from '../http/readJsonBody.js';
import type { RouteResult, Router } from '../http/router.js';
import { readRunRequest, type RunRequest } from '../runs/runRequest.js';

export function addJobRoutes(router: Router, app: App): void {
  // Run an inline graph or a saved workflow: {graph|workflow|workflow_id, params?, job_id?, wait?}.
  router.add('POST', '/api/run', async ({ request, query }) => {
    const body = (await readJsonBody(request, app.config.maxBodyBytes)) as Record<string, unknown>;
    return startRun(app, readRunRequest(app, body), query);
  });

  router.add('POST', '/api/workflows/:id/run', async ({ request, params, query }) => {
    const body = (await readJsonBody(request, app.config.maxBodyBytes)) as Record<string, unknown>;
    return startRun(app, readRunRequest(app, body, params['id']), query);
  });

  router.add('GET', '/api/jobs', ({ query }) => {
    const limit = Math.min(500, Math.max(1, Number(query.get('limit') ?? 50) || 50));
    return { status: 200, body: { jobs: app.jobs.list(limit).map(({ graph: _graph, ...job }) => job) } };
  });

  router.add('GET', '/api/jobs/:id', ({ params }) => {
    const job = app.runs.get(params['id'] as string);
    if (!job) throw new JobNotFoundError(params['id'] as string);
    return { status: 200, body: job };
  });

  router.add('POST', '/api/jobs/:id/cancel', ({ params }) => {
    const id = params['id'] as string;
    if (app.runs.cancel(id)) return { status: 202, body: { job_id: id, status: 'cancelling' } };
    const job = app.jobs.get(id);
    if (!job) throw new JobNotFoundError(id);
    throw new JobNotRunningError(id, job.status);
  });
}

/** With wait (body or `?wait=true`), answers with the finished job; otherwise 202 with its id and status. */
async function startRun(app: App, run: RunRequest, query: URLSearchParams): Promise<RouteResult> {
  const started = app.runs.start(run.workflow, run.params, run.jobId, run.models);
  if (!run.wait && query.get('wait') !== 'true')
    return { status: 202, body: { job_id: started.jobId, status: app.runs.get(started.jobId)?.status ?? 'running' } };
  return { status: 200, body: await started.done };
}
