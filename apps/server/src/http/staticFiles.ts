import { extname } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The built UI at /, public (it holds no data, and it must load to show the login form). Assets are
 * cached an hour; index.html never, so a new build shows at once.
 */
export async function addStaticFiles(fastify: FastifyInstance, root: string): Promise<void> {
  await fastify.register(fastifyStatic, {
    root,
    wildcard: true,
    cacheControl: false,
    setHeaders: (response, path) => response.setHeader('cache-control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600'),
  });
}

/** A path of the UI's own (client-side routes): no file, no extension, not the API. */
export function isUiRoute(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] as string;
  return (request.method === 'GET' || request.method === 'HEAD') && !path.startsWith('/api/') && !extname(path);
}

export function sendIndex(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-cache').sendFile('index.html');
}
