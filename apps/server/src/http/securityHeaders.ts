import type { FastifyReply, FastifyRequest } from 'fastify';

/** On every response: no framing by other sites (clickjacking), no MIME sniffing, no Referer leaks. */
export function setSecurityHeaders(reply: FastifyReply): void {
  reply.header('x-frame-options', 'DENY');
  reply.header('content-security-policy', "frame-ancestors 'none'");
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
}

/**
 * CORS only for origins the user listed in NODETOOL_ALLOWED_ORIGINS (a dev server on another port, say);
 * the server's own pages need none, and no other origin gets any.
 */
export function setCorsHeaders(allowedOrigins: string[], request: FastifyRequest, reply: FastifyReply): boolean {
  const origin = request.headers.origin;
  if (!origin || !allowedOrigins.includes(origin.replace(/\/$/, ''))) return false;
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-allow-credentials', 'true');
  reply.header('vary', 'Origin');
  return true;
}

/** The answer to a CORS preflight from a listed origin. */
export function answerPreflight(reply: FastifyReply): FastifyReply {
  reply.header('access-control-allow-methods', 'GET, POST, PUT, DELETE');
  reply.header('access-control-allow-headers', 'content-type, authorization');
  reply.header('access-control-max-age', '600');
  return reply.code(204).send();
}
