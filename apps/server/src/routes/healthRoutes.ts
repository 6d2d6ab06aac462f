import type { apiContract } from '@nt/api-contract';
import type { Handlers } from '../http/contractRoutes.js';
import type { JobManager } from '../jobs/jobManager.js';
import type { PoolModels } from '../models/poolModels.js';
import type { Leadership } from '../replicas/leadership.js';
import type { ReplicaPresence } from '../replicas/replicaPresence.js';
import { isAuthenticated } from '../security/authenticate.js';
import type { WorkerPool } from '../workers/workerPool.js';

/** What /health reads: uptime, the runs' counts, the pool and the models it holds. */
export interface HealthDeps {
  startedAt: number;
  runs: Pick<JobManager, 'runningCount' | 'queuedCount'>;
  workers: Pick<WorkerPool, 'status'>;
  models: Pick<PoolModels, 'resident'>;
  presence: Pick<ReplicaPresence, 'id'> | null;
  leadership: Pick<Leadership, 'leader'>;
}

export const healthHandlers: Pick<Handlers<typeof apiContract.health, HealthDeps>, 'get'> = {
  // Public, for load balancers and probes; only an authenticated caller learns more than "up".
  get: ({ app, request }) => {
    if (!isAuthenticated(request)) return { status: 200, body: { status: 'ok' } };
    return {
      status: 200,
      body: {
        status: 'ok',
        uptime_s: Math.round((Date.now() - app.startedAt) / 1000),
        running_jobs: app.runs.runningCount,
        queued_jobs: app.runs.queuedCount,
        ...app.workers.status(),
        resident_models: app.models.resident(),
        replica: { id: app.presence?.id ?? null, leader: app.leadership.leader },
      },
    };
  },
};
