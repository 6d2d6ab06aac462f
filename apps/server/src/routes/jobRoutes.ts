import type { apiContract } from '@nt/api-contract';
import { JobNotFoundError, JobNotRunningError } from '../errors.js';
import type { Handlers } from '../http/contractRoutes.js';
import type { JobManager } from '../jobs/jobManager.js';
import { readRunRequest, type RunRequestDeps } from '../runs/runRequest.js';
import { startRun } from '../runs/startRun.js';
import type { JobStore } from '@nt/data';

/** What the job routes use: the stored runs, the live ones, and what reading a run request needs. */
export interface JobDeps extends RunRequestDeps {
  jobs: Pick<JobStore, 'get' | 'list'>;
  runs: Pick<JobManager, 'start' | 'get' | 'cancel'>;
}

export const jobHandlers: Handlers<typeof apiContract.jobs, JobDeps> = {
  // Run an inline graph or a saved workflow: {graph|workflow|workflow_id, params?, job_id?, wait?}.
  run: async ({ app, query, body }) => startRun(app, await readRunRequest(app, body), query.wait === true),

  list: async ({ app, query }) => ({ status: 200, body: { jobs: (await app.jobs.list(query.limit ?? 50)).map(({ graph: _graph, ...job }) => job) } }),

  get: async ({ app, params }) => {
    const job = await app.runs.get(params.id);
    if (!job) throw new JobNotFoundError(params.id);
    return { status: 200, body: job };
  },

  cancel: async ({ app, params }) => {
    if (await app.runs.cancel(params.id)) return { status: 202, body: { job_id: params.id, status: 'cancelling' } };
    const job = await app.jobs.get(params.id);
    if (!job) throw new JobNotFoundError(params.id);
    throw new JobNotRunningError(params.id, job.status);
  },
};
