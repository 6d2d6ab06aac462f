import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerToken } from './serverToken.js';
import type { SessionStore } from './sessions.js';
import { setSessionCookie } from './sessionCookie.js';

/** A GET of a page (not the API) with `?token=`: a link that logs the browser in, Jupyter-style. */
export function isLoginLink(request: FastifyRequest): boolean {
  if (request.method !== 'GET' || request.ws) return false;
  const url = requestUrl(request);
  return url.searchParams.has('token') && !url.pathname.startsWith('/api/');
}

/**
 * Logs the browser in (a session cookie) when the token is right, and redirects to the same page without
 * it, so the token leaves the address bar and the history. A wrong token is just dropped. The redirect
 * stays on this server: the path is reduced to one leading "/" (no "//host" or "/\host" a browser would
 * take for another site).
 */
/** What a login link needs of the server: its token and its sessions. */
export interface LoginDeps {
  serverToken: ServerToken | null;
  sessions: SessionStore | null;
}

export async function loginFromLink(app: LoginDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const url = requestUrl(request);
  const token = url.searchParams.get('token') ?? '';
  url.searchParams.delete('token');
  if (app.serverToken && app.sessions && app.serverToken.matches(token)) setSessionCookie(reply, request, await app.sessions.create());
  const path = `/${url.pathname.replace(/^[/\\]+/, '')}`;
  return reply.code(302).header('location', `${path}${url.search}`).header('cache-control', 'no-store').send();
}

/** The request's path and query as sent: "//x/" is a path here, not a URL of the host "x". */
function requestUrl(request: FastifyRequest): URL {
  return new URL(`http://localhost${request.url.startsWith('/') ? '' : '/'}${request.url}`);
}
