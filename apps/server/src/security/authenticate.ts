import type { FastifyRequest } from 'fastify';
import type { ServerToken } from './serverToken.js';
import { SESSION_COOKIE, type SessionStore } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller proved the server token (a bearer header or a session); always true when none is set. */
    authenticated: boolean;
  }
}

/** `Authorization: Bearer <token>` (answered at once), or a live session cookie (once the database answered). */
export function provesToken(request: FastifyRequest, token: ServerToken, sessions: SessionStore): boolean | Promise<boolean> {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return token.matches(header.slice(7).trim());
  return sessions.isValid(request.cookies?.[SESSION_COOKIE]);
}

export function isAuthenticated(request: FastifyRequest): boolean {
  return request.authenticated;
}
