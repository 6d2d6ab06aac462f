import type { apiContract } from '@nt/api-contract';
import type { Handlers } from '../http/contractRoutes.js';
import { NotReadyError } from '../errors.js';
import type { ServerMetrics } from '../observability/serverMetrics.js';

/** What /ready and /metrics read. */
export interface OpsDeps {
  notReady(): Promise<string | null>;
  metrics: Pick<ServerMetrics, 'render'>;
}

/** Readiness and metrics, for probes and Prometheus (liveness is /health). */
export const opsHandlers: Pick<Handlers<typeof apiContract.health, OpsDeps>, 'ready' | 'metrics'> = {
  ready: async ({ app }) => {
    const missing = await app.notReady();
    if (missing) throw new NotReadyError(`not ready: ${missing}`);
    return { status: 200, body: { status: 'ready' } };
  },
  metrics: async ({ app, reply }) => {
    const { contentType, text } = await app.metrics.render();
    reply.type(contentType);
    return { status: 200, body: text };
  },
};
