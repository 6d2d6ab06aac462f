import Fastify, { type FastifyInstance } from 'fastify';
import type { ServerMetrics } from './serverMetrics.js';

/**
 * NODETOOL_METRICS_PORT: /metrics alone, on 127.0.0.1 only, without the server token, for a Prometheus
 * on the same host (or a sidecar). Nothing else is served there, and nothing on it changes state.
 */
export async function serveMetricsOnLoopback(metrics: ServerMetrics, port: number): Promise<FastifyInstance> {
  const server = Fastify({ logger: false });
  server.get('/metrics', async (_request, reply) => {
    const { contentType, text } = await metrics.render();
    return reply.type(contentType).send(text);
  });
  await server.listen({ host: '127.0.0.1', port });
  return server;
}
