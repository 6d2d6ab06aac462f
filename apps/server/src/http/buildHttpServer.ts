import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import { loginAttemptStore } from '../security/loginAttemptStore.js';
import fastifyWebsocket from '@fastify/websocket';
import type { Server } from 'node:http';
import Fastify, { type FastifyHttpOptions, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { apiContract } from '@nt/api-contract';
import type { App } from '../app.js';
import type { Logger } from '../observability/logger.js';
import { assetHandlers } from '../routes/assetRoutes.js';
import { authHandlers } from '../routes/authRoutes.js';
import { healthHandlers } from '../routes/healthRoutes.js';
import { opsHandlers } from '../routes/opsRoutes.js';
import { jobHandlers } from '../routes/jobRoutes.js';
import { modelHandlers } from '../routes/modelRoutes.js';
import { nodeHandlers } from '../routes/nodeRoutes.js';
import { capacityHandlers } from '../routes/capacityRoutes.js';
import { rentedWorkerHandlers, workerProfileHandlers } from '../routes/rentedRoutes.js';
import { workflowHandlers } from '../routes/workflowRoutes.js';
import { addSecurityHooks } from '../security/securityHooks.js';
import type { WsHub } from '../ws/wsHub.js';
import { fastifyTrustProxy } from '../security/trustProxy.js';
import { registerContract } from './contractRoutes.js';
import { addErrorReplies, frameworkErrors } from './errorReplies.js';
import { addJsonBodyParser } from './jsonBodyParser.js';
import { addStaticFiles, isUiRoute, sendIndex } from './staticFiles.js';

/** Login attempts (POST /api/login and ?token= links together) per client address and minute. */
export const LOGIN_ATTEMPTS_PER_MINUTE = 10;

/**
 * The HTTP side: Fastify with the contract's routes and their handlers, the security hook in front of
 * every route and upgrade, the WebSocket at /ws, the built UI, and one error shape.
 */
export async function buildHttpServer(app: App, hub: WsHub, logger: Logger): Promise<FastifyInstance> {
  const log = (line: string) => logger.error(line);
  const options: FastifyHttpOptions<Server> = {
    logger: false,
    bodyLimit: app.config.maxBodyBytes,
    // Longer than clients keep an idle connection (undici: 4 s, browsers: about 60 s), so the client is the
    // one that closes it: a server closing first races a client reusing it, and the request is reset.
    keepAliveTimeout: 65_000,
    frameworkErrors,
    // Behind an ingress or a tunnel, the client's address (which the login limit counts) is the one its
    // trusted proxies forwarded; without NODETOOL_TRUST_PROXY, the peer's.
    trustProxy: fastifyTrustProxy(app.config.trustProxy),
  };
  const fastify = Fastify(options);
  fastify.server.headersTimeout = 66_000;
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);
  addJsonBodyParser(fastify);

  // Cookies carry only the sessions of a server token: without one, no request pays for parsing them.
  if (app.sessions) await fastify.register(fastifyCookie);
  await fastify.register(fastifyRateLimit, {
    global: false,
    // Counted in the database: the same limit whichever replica (or restarted process) a client reaches.
    store: loginAttemptStore(app.loginAttempts),
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      message: `too many login attempts from this address; try again in ${Math.ceil(context.ttl / 1000)} s`,
    }),
  });
  await fastify.register(fastifyWebsocket, { options: { maxPayload: app.config.maxBodyBytes } });
  const loginLimiter = fastify.rateLimit({ max: LOGIN_ATTEMPTS_PER_MINUTE, timeWindow: 60_000 });
  addSecurityHooks(fastify, app, loginLimiter);
  addErrorReplies(
    fastify,
    apiContract,
    log,
    (request, reply) => (app.config.webRoot && isUiRoute(request) ? sendIndex(reply) : null),
    app.config.strictContract,
  );
  if (app.config.webRoot) await addStaticFiles(fastify, app.config.webRoot);

  registerContract(
    fastify,
    app,
    apiContract,
    {
      health: { ...healthHandlers, ...opsHandlers },
      auth: authHandlers,
      nodes: nodeHandlers,
      workflows: workflowHandlers,
      jobs: jobHandlers,
      assets: assetHandlers,
      models: modelHandlers,
      workerProfiles: workerProfileHandlers,
      rentedWorkers: rentedWorkerHandlers,
      capacity: capacityHandlers,
    },
    { 'auth.login': { onRequest: loginLimiter } },
  );
  fastify.get('/ws', { websocket: true }, (socket, request) => hub.accept(socket, request.raw.socket));
  if (app.config.logging.requests) {
    // The path only: a query may hold a login link's token.
    fastify.addHook('onResponse', async (request, reply) => {
      logger.info(
        { method: request.method, path: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
        'request',
      );
    });
  }
  return fastify;
}
