import type { apiContract } from '@nt/api-contract';
import type { Handlers } from '../http/contractRoutes.js';
import { isAuthenticated } from '../security/authenticate.js';

export const healthHandlers: Pick<Handlers<typeof apiContract.health>, 'get'> = {
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
      },
    };
  },
};
