import type { FastifyInstance } from 'fastify';
import { InvalidRequestError } from '../errors.js';

/**
 * JSON bodies, with Fastify's own parser (prototype-poisoning keys refused); an empty body is no body,
 * since clients send state changes as JSON even when they carry nothing (the CSRF defence needs it).
 */
export function addJsonBodyParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    if (!(text as string).trim()) return done(null, undefined);
    parse(request, text as string, (error, value) => {
      if (error) return done(new InvalidRequestError(`request body is not valid JSON: ${error.message}`), undefined);
      done(null, value);
    });
  });
}
