import type { App } from '../app.js';
import type { Router } from '../http/router.js';

export function addHealthRoutes(router: Router, app: App): void {
  // Public, for load balancers and probes; only an authenticated caller learns more than "up".
  router.addPublic('GET', '/health', ({ authenticated }) => {
    if (!authenticated) return { status: 200, body: { status: 'ok' } };
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
  });
}
