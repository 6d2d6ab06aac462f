import type { JobRecord, JobStarted } from '@nt/api-contract';
import type { JobManager } from '../jobs/jobManager.js';
import type { RunRequest } from './runRequest.js';

/** Starts a run; with `wait` (the body's or `?wait=true`) answers with the finished job, else 202 with its id and status. */
/** What starting a run needs: the runs. */
export interface StartRunDeps {
  runs: Pick<JobManager, 'start' | 'get'>;
}

export async function startRun(
  app: StartRunDeps,
  run: RunRequest,
  waitAsked: boolean,
): Promise<{ status: 200; body: JobRecord } | { status: 202; body: JobStarted }> {
  const started = await app.runs.start(run.workflow, run.params, run.jobId, run.models);
  if (!run.wait && !waitAsked) return { status: 202, body: { job_id: started.jobId, status: (await app.runs.get(started.jobId))?.status ?? 'running' } };
  return { status: 200, body: await started.done };
}
