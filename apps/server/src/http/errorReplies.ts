import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isResponseSerializationError } from 'fastify-type-provider-zod';
import { pathPattern, routesOf, type RouteGroup } from '@nt/api-contract';
import { contractRouteOf } from './contractRoutes.js';
import { declaresStatus } from './declaredErrors.js';
import { HttpError, toHttpError } from './httpError.js';
import { setSecurityHeaders } from './securityHeaders.js';

/**
 * Every error becomes `{error, details?}` with its status, once, here: the server's own errors through
 * toHttpError, a request its route's schema refused as 400 naming the fields, an oversize body as 413.
 * A 500 says nothing of the internals; its cause is logged.
 */
export function addErrorReplies(
  fastify: FastifyInstance,
  contract: RouteGroup,
  log: (line: string) => void,
  /** Answers what is not an API route (the UI's own pages), or returns null. */
  fallback: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | null = () => null,
  /** Tests: a status the route's contract does not declare answers 500 naming it, so the suite that met it fails. */
  strictContract = false,
): void {
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    let failure = httpErrorOf(error, request);
    const route = contractRouteOf(request);
    if (route && !declaresStatus(route.spec, failure.status)) {
      const said = `${route.routeName} answered ${failure.status}, which its contract does not declare (libs/api-contract): ${failure.message}`;
      log(said);
      if (strictContract) failure = new HttpError(500, said);
    }
    if (failure.status === 500) log(`internal error on ${request.method} ${request.url.split('?')[0]}: ${error.stack ?? error.message}`);
    if (failure.status === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
    return reply.code(failure.status).send({ error: failure.message, ...(failure.details !== undefined ? { details: failure.details } : {}) });
  });

  // A path of the contract asked with another method is 405 (with Allow), anything else 404.
  const routes = routesOf(contract).map(({ route }) => ({ method: route.method, pattern: pathPattern(route.path) }));
  fastify.setNotFoundHandler((request, reply) => {
    const answered = fallback(request, reply);
    if (answered) return answered;
    const path = request.url.split('?')[0] as string;
    const allowed = routes.filter((route) => route.pattern.test(path)).map((route) => route.method);
    if (allowed.length)
      return reply
        .code(405)
        .header('allow', [...new Set(allowed)].join(', '))
        .send({ error: `${request.method} is not allowed on ${path}` });
    return reply.code(404).send({ error: `nothing at ${path}` });
  });
}

/** Fastify's answer to a URL it cannot route (a malformed %-escape): 400 with the same body as every error. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  setSecurityHeaders(reply);
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const message = error.code === 'FST_ERR_BAD_URL' ? 'the path has a malformed %-escape' : error.message;
  void reply.code(status).send({ error: message });
}

function httpErrorOf(error: FastifyError, request: FastifyRequest): HttpError {
  if (error.validation) {
    const where = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'request');
    return new HttpError(400, error.validation.map((issue) => describeIssue(where, issue.instancePath, issue.message ?? 'invalid')).join('; '));
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const limit = request.routeOptions.bodyLimit;
    const declared = Number(request.headers['content-length'] ?? NaN);
    return new HttpError(
      413,
      declared > limit ? `request body of ${declared} bytes exceeds the ${limit}-byte limit` : `request body exceeds the ${limit}-byte limit`,
    );
  }
  if (isResponseSerializationError(error)) return new HttpError(500, 'internal server error');
  // Fastify's and its plugins' own refusals (a bad Content-Length, the login rate limit): their status, their words.
  if (!(error instanceof HttpError) && error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
    return new HttpError(error.statusCode, error.message);
  return toHttpError(error);
}

/** A schema's complaint, naming the field: our schemas' messages already quote it; zod's defaults get it in front. */
function describeIssue(where: string, instancePath: string, message: string): string {
  const field = instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (!field) return where === 'body' ? `the request body: ${message}` : `${where}: ${message}`;
  return message.includes(`"${field.split('.').at(-1)}"`) ? message : `"${field}" (${where}): ${message}`;
}
