import type { App } from '../app.js';
import type { Router } from '../http/router.js';

export function addHealthRoutes(router: Router, app: App): void {
  router.add('GET', '/health', () => ({
    status: 200,
    body: {
      status: 'ok',
      uptime_s: Math.round((Date.now() - app.startedAt) / 1000),
      running_jobs: app.runs.runningCount,
      worker: app.worker.status(),
    },
  }));
}
