import { HealthReport } from '../../workerHealth.js';
import { route } from '../route.js';

export const health = {
  get: route({
    method: 'GET',
    path: '/health',
    access: 'public',
    summary:
      'server and worker state: connected / reconnecting (attempt, next retry) / token_rejected / unreachable; protocol, node count, namespaces, load errors, last round trip; `pool`: connected of total, and each worker’s state, runs in flight and limit (without the token: only `{"status": "ok"}`)',
    replies: { 200: HealthReport },
    errors: {},
  }),
};
