import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app.js';

/** On every response: no framing by other sites (clickjacking), no MIME sniffing, no Referer leaks. */
export function setSecurityHeaders(response: ServerResponse): void {
  response.setHeader('x-frame-options', 'DENY');
  response.setHeader('content-security-policy', "frame-ancestors 'none'");
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('referrer-policy', 'no-referrer');
}

/**
 * CORS only for origins the user listed in NODETOOL_ALLOWED_ORIGINS (a dev server on another port, say);
 * the server's own pages need none, and no other origin gets any.
 */
export function setCorsHeaders(app: App, request: IncomingMessage, response: ServerResponse): boolean {
  const origin = request.headers.origin;
  if (!origin || !app.config.allowedOrigins.includes(origin.replace(/\/$/, ''))) return false;
  response.setHeader('access-control-allow-origin', origin);
  response.setHeader('access-control-allow-credentials', 'true');
  response.setHeader('vary', 'Origin');
  return true;
}

/** The answer to a CORS preflight from a listed origin. */
export function answerPreflight(response: ServerResponse): void {
  response.setHeader('access-control-allow-methods', 'GET, POST, PUT, DELETE');
  response.setHeader('access-control-allow-headers', 'content-type, authorization');
  response.setHeader('access-control-max-age', '600');
  response.writeHead(204).end();
}
