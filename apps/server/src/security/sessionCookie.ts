import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from './sessions.js';

/** HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure behind a TLS proxy. */
export function setSessionCookie(reply: FastifyReply, request: FastifyRequest, session: { cookie: string; maxAgeSeconds: number }): void {
  reply.setCookie(SESSION_COOKIE, session.cookie, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    maxAge: session.maxAgeSeconds,
    secure: isHttps(request),
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.setCookie(SESSION_COOKIE, '', { path: '/', httpOnly: true, sameSite: 'strict', maxAge: 0 });
}

/** Behind a TLS-terminating proxy the cookie should be Secure; the proxy says so in X-Forwarded-Proto. */
function isHttps(request: FastifyRequest): boolean {
  return request.headers['x-forwarded-proto'] === 'https';
}
