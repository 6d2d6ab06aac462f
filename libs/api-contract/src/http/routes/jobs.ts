import { z } from 'zod';
import { JobRecord, JobStarted, JobSummary, RunRequest } from '../../jobs.js';
import { route } from '../route.js';
import { WaitQuery } from './workflows.js';

const byId = z.object({ id: z.string().min(1) });

export const jobs = {
  run: route({
    method: 'POST',
    path: '/api/run',
    access: 'token',
    summary:
      'run an inline `{graph}` or `{workflow}` document, or a saved `workflow_id`; the other fields and `wait` as for a saved workflow; runs past `NODETOOL_MAX_CONCURRENT_RUNS` queue',
    query: WaitQuery,
    body: RunRequest,
    replies: { 200: JobRecord, 202: JobStarted },
    errors: {
      400: 'no graph or workflow, a graph that does not validate, a field of the wrong type',
      404: 'no such workflow_id',
      409: 'the job_id is taken',
      413: 'over NODETOOL_MAX_BODY_BYTES or the graph limits',
      429: 'the run queue is full (NODETOOL_MAX_QUEUED_RUNS)',
      503: 'no worker offers its Python nodes',
    },
  }),
  list: route({
    method: 'GET',
    path: '/api/jobs',
    access: 'token',
    summary: 'recent runs, newest first (`?limit=`, 1–500, default 50), without their graphs',
    // Out of range is clamped, as it always was: a list has no wrong length.
    query: z.object({
      limit: z.coerce
        .number()
        .catch(50)
        .transform((limit) => Math.min(500, Math.max(1, Math.trunc(limit) || 50)))
        .optional(),
    }),
    replies: { 200: z.object({ jobs: z.array(JobSummary) }) },
    errors: {},
  }),
  get: route({
    method: 'GET',
    path: '/api/jobs/:id',
    access: 'token',
    summary: 'one run: status, per-node states and results, errors, timings',
    params: byId,
    replies: { 200: JobRecord },
    errors: { 404: 'no such job' },
  }),
  cancel: route({
    method: 'POST',
    path: '/api/jobs/:id/cancel',
    access: 'token',
    summary: 'cancel a queued or running job',
    params: byId,
    replies: { 202: z.object({ job_id: z.string(), status: z.literal('cancelling') }) },
    errors: { 404: 'no such job', 409: 'it has ended' },
  }),
};
