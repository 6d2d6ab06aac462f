import { z } from 'zod';
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
  ready: route({
    method: 'GET',
    path: '/ready',
    access: 'public',
    summary:
      'readiness, for load balancers and Kubernetes: 200 once the database is open and a worker is connected (or `NODETOOL_REQUIRE_WORKER=0`), 503 naming what is missing, and while shutting down; `/health` is liveness',
    replies: { 200: z.object({ status: z.literal('ready') }) },
    errors: { 503: 'not ready: no worker connected yet, the database unusable, or shutting down' },
  }),
  metrics: route({
    method: 'GET',
    path: '/metrics',
    access: 'token',
    summary:
      'Prometheus metrics (text exposition): runs, queue, node executions, workers, traffic, model keep-alive, rented workers and their cost, assets; also on `127.0.0.1:NODETOOL_METRICS_PORT` without the token',
    replies: { 200: null },
    errors: {},
    response: 'binary',
  }),
};
