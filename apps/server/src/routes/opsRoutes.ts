import type { apiContract } from '@nt/api-contract';
import type { Handlers } from '../http/contractRoutes.js';
import { NotReadyError } from '../errors.js';

/** Readiness and metrics, for probes and Prometheus (liveness is /health). */
export const opsHandlers: Pick<Handlers<typeof apiContract.health>, 'ready' | 'metrics'> = {
  ready: ({ app }) => {
    const missing = app.notReady();
    if (missing) throw new NotReadyError(`not ready: ${missing}`);
    return { status: 200, body: { status: 'ready' } };
  },
  metrics: async ({ app, reply }) => {
    const { contentType, text } = await app.metrics.render();
    reply.type(contentType);
    return { status: 200, body: text };
  },
};
