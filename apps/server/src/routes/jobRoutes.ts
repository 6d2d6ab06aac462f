import { checkGraphLimits, loadWorkflow } from '@nt/runtime';
import type { App } from '../app.js';
import { HttpError } from '../http/httpError.js';
import { readJsonBody } from '../http/readJsonBody.js';
import type { Router } from '../http/router.js';
import { startRun } from './runRequest.js';

export function addJobRoutes(router: Router, app: App): void {
  // Run an inline graph: {graph|workflow: {...}, params?, wait?}.
  router.add('POST', '/api/run', async ({ request, query }) => {
    const body = (await readJsonBody(request, app.config.maxBodyBytes)) as Record<string, unknown>;
    const document = body['workflow'] ?? body['graph'];
    if (document === undefined) throw new HttpError(400, 'the body needs a "graph" ({nodes, edges}) or a "workflow" document');
    checkGraphLimits(document, app.config.graphLimits);
    return startRun(app, loadWorkflow(document, 'graph'), body, query);
  });

  router.add('GET', '/api/jobs', ({ query }) => {
    const limit = Math.min(500, Math.max(1, Number(query.get('limit') ?? 50) || 50));
    return { status: 200, body: { jobs: app.jobs.list(limit).map(({ graph: _graph, ...job }) => job) } };
  });

  router.add('GET', '/api/jobs/:id', ({ params }) => {
    const job = app.runs.get(params['id'] as string);
    if (!job) throw new HttpError(404, `no job with id "${params['id']}"`);
    return { status: 200, body: job };
  });

  router.add('POST', '/api/jobs/:id/cancel', ({ params }) => {
    const id = params['id'] as string;
    if (app.runs.cancel(id)) return { status: 202, body: { job_id: id, status: 'cancelling' } };
    const job = app.jobs.get(id);
    if (!job) throw new HttpError(404, `no job with id "${id}"`);
    throw new HttpError(409, `job "${id}" is not running (it is ${job.status})`);
  });
}
