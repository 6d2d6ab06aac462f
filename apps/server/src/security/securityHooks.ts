import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ServerConfig } from '../config.js';
import type { HostPolicy } from './hostPolicy.js';
import { contractRouteOf } from '../http/contractRoutes.js';
import { AuthenticationError, ForbiddenError } from '../errors.js';
import { answerPreflight, setCorsHeaders, setSecurityHeaders } from '../http/securityHeaders.js';
import { provesToken } from './authenticate.js';
import { isLoginLink, loginFromLink } from './linkLogin.js';
import { refuseRequest, refuseUpgrade } from './requestGuard.js';
import type { LoginDeps } from './linkLogin.js';

/** What the checks read of the server: its Host and Origin policy, token, sessions and allowed origins. */
export interface SecurityDeps extends LoginDeps {
  hostPolicy: HostPolicy;
  config: Pick<ServerConfig, 'allowedOrigins'>;
}

/**
 * The checks every request and every WebSocket upgrade passes before its route runs, in one hook:
 * security headers; the Host allowlist (421); for state changes, not from another site (403) and JSON
 * only (415); for upgrades, no other site's Origin (403); CORS for listed origins; the `?token=` login
 * link; then the server token for every route but the public ones (401). A route cannot opt out.
 */
export function addSecurityHooks(fastify: FastifyInstance, app: SecurityDeps, loginLimiter: onRequestAsyncHookHandler): void {
  fastify.decorateRequest('authenticated', false);
  // A callback hook, not an async one: it runs on every request, and a promise per request is measurable (server:bench).
  fastify.addHook('onRequest', (request, reply, done) => {
    const then = (authenticated: boolean) => {
      request.authenticated = authenticated;
      if (isLoginLink(request)) {
        loginLimiter
          .call(fastify, request, reply)
          .then(() => (reply.sent ? undefined : loginFromLink(app, request, reply)))
          .catch((error: Error) => done(error));
        return;
      }
      try {
        requireToken(request, reply);
      } catch (error) {
        return done(error as Error);
      }
      done();
    };
    let proof: boolean | Promise<boolean>;
    try {
      if (screen(app, request, reply)) return undefined;
      proof = !app.serverToken || !app.sessions || provesToken(request, app.serverToken, app.sessions);
    } catch (error) {
      return done(error as Error);
    }
    // Only a session cookie is looked up in the database; a bearer token (or none needed) is answered at once.
    if (typeof proof === 'boolean') then(proof);
    else proof.then(then, (error: Error) => done(error));
    return undefined;
  });
}

/** Throws the refusal, answers a preflight (and says so), or returns null to go on to the token. */
function screen(app: SecurityDeps, request: FastifyRequest, reply: FastifyReply): FastifyReply | null {
  setSecurityHeaders(reply);
  const route = contractRouteOf(request);
  const refusal = request.ws ? refuseUpgrade(request.raw, app.hostPolicy) : refuseRequest(request.raw, app.hostPolicy, route?.bodyType);
  if (refusal) throw refusal;
  const cors = setCorsHeaders(app.config.allowedOrigins, request, reply);
  if (request.method === 'OPTIONS') {
    if (!cors) throw new ForbiddenError('cross-origin requests are refused; list the origin in NODETOOL_ALLOWED_ORIGINS to allow it');
    return answerPreflight(reply);
  }
  return null;
}

/** The token, for every route but the public ones. */
function requireToken(request: FastifyRequest, reply: FastifyReply): void {
  const route = contractRouteOf(request);
  // The WebSocket carries runs and their results: it needs the token as every API route does.
  const needsToken = request.ws || route?.access === 'token';
  if (needsToken && !request.authenticated) {
    reply.header('www-authenticate', 'Bearer');
    throw new AuthenticationError('authentication required: send Authorization: Bearer <NODETOOL_SERVER_TOKEN>, or log in');
  }
}
