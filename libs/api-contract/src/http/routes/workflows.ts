import { z } from 'zod';
import { JobRecord, JobStarted, RunRequest } from '../../jobs.js';
import { ImportedWorkflow, StoredWorkflow, WorkflowSummary } from '../../workflows.js';
import { route } from '../route.js';

const byId = z.object({ id: z.string().min(1) });
/** `?wait=true` is the same as `"wait": true` in the body. */
export const WaitQuery = z.object({ wait: z.stringbool({ error: '"wait" must be true or false' }).optional() });

export const workflows = {
  import: route({
    method: 'POST',
    path: '/api/workflows',
    access: 'token',
    summary: 'import a workflow file (the editor’s format or a bare graph); the same id again replaces it',
    // Any JSON: the runtime checks it and names every problem (a wrong type, a missing node, a cycle).
    body: z.unknown(),
    replies: { 201: ImportedWorkflow },
    errors: { 400: 'not a workflow, or a graph that does not validate', 413: 'over NODETOOL_MAX_BODY_BYTES or the graph limits' },
  }),
  list: route({
    method: 'GET',
    path: '/api/workflows',
    access: 'token',
    summary: 'the saved workflows, newest first',
    replies: { 200: z.object({ workflows: z.array(WorkflowSummary) }) },
    errors: {},
  }),
  get: route({
    method: 'GET',
    path: '/api/workflows/:id',
    access: 'token',
    summary: 'one workflow, as imported',
    params: byId,
    replies: { 200: StoredWorkflow },
    errors: { 404: 'no such workflow' },
  }),
  delete: route({
    method: 'DELETE',
    path: '/api/workflows/:id',
    access: 'token',
    summary: 'delete a workflow (its runs stay)',
    params: byId,
    replies: { 204: null },
    errors: { 404: 'no such workflow' },
  }),
  run: route({
    method: 'POST',
    path: '/api/workflows/:id/run',
    access: 'token',
    summary:
      'run a saved workflow: `params`, `job_id`, `keep_alive`, `download_missing`, `retry_on_worker_loss`; `"wait": true` (or `?wait=true`) answers with the finished job, else 202 + `job_id`',
    params: byId,
    query: WaitQuery,
    // The whole run request, so that a graph sent to a saved workflow is refused by name, not dropped.
    body: RunRequest.default({}),
    replies: { 200: JobRecord, 202: JobStarted },
    errors: {
      400: 'a field of the wrong type, a bad keep-alive',
      404: 'no such workflow',
      409: 'the job_id is taken',
      429: 'the run queue is full (NODETOOL_MAX_QUEUED_RUNS)',
      503: 'no worker offers its Python nodes',
    },
  }),
};
