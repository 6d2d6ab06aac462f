import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions, RouteShorthandOptions } from 'fastify';
import type { z } from 'zod';
import { routesOf, type HandlerReply, type RouteGroup, type RouteSpec } from '@nt/api-contract';

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * What a handler gets: the request's params, query and body as its route's schemas parsed them, and
 * `app`: the parts of the server its routes use (each route module names them, `D`).
 */
export interface HandlerInput<R extends RouteSpec, D> {
  params: Parsed<R['params']>;
  query: Parsed<R['query']>;
  body: Parsed<R['body']>;
  app: D;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** One route's handler: it answers with a status its route declares, and a body of that status's schema. */
export type Handler<R extends RouteSpec, D> = (input: HandlerInput<R, D>) => HandlerReply<R> | Promise<HandlerReply<R>>;

/** A handler for every route of a contract group; a missing, extra or mistyped one is a compile error. */
export type Handlers<G extends RouteGroup, D> = {
  [K in keyof G]: G[K] extends RouteSpec ? Handler<G[K], D> : G[K] extends RouteGroup ? Handlers<G[K], D> : never;
};

/** Route options beyond the contract, by route name (`auth.login`): rate limits and the like. */
export type RouteExtras = Partial<Record<string, Pick<RouteShorthandOptions, 'config' | 'onRequest'>>>;

/** Marks a contract route in Fastify's route config: its name and who may call it. */
export interface ContractRouteConfig {
  routeName: string;
  access: RouteSpec['access'];
  bodyType: 'json' | 'binary';
  /** The route itself: the error replies check an error's status against what it declares. */
  spec: RouteSpec;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    routeName?: string;
    access?: RouteSpec['access'];
    bodyType?: 'json' | 'binary';
    spec?: RouteSpec;
  }
}

/**
 * Registers every route of the contract with its handler: Fastify validates params, query and body with
 * the route's schemas before the handler runs, and checks the reply against the route's reply schema.
 */
export function registerContract<G extends RouteGroup, D>(
  fastify: FastifyInstance,
  app: D,
  contract: G,
  handlers: Handlers<G, D>,
  extras: RouteExtras = {},
): void {
  const binaryBodies: Array<() => RouteOptions> = [];
  for (const { name, route } of routesOf(contract)) {
    const handler = name.split('.').reduce<unknown>((group, key) => (group as Record<string, unknown>)[key], handlers) as Handler<RouteSpec, D>;
    const response = Object.fromEntries(Object.entries(route.replies).filter(([, schema]) => schema !== null));
    const extra = extras[name];
    const options = (): RouteOptions => ({
      method: route.method,
      url: route.path,
      ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
      schema: {
        ...(route.params ? { params: route.params } : {}),
        ...(route.query ? { querystring: route.query } : {}),
        ...(route.body ? { body: route.body } : {}),
        response,
      },
      config: {
        ...(extra?.config ?? {}),
        routeName: name,
        access: route.access,
        bodyType: route.bodyType ?? 'json',
        spec: route,
      } satisfies ContractRouteConfig,
      ...(extra?.onRequest ? { onRequest: extra.onRequest } : {}),
      handler: async (request, reply) => {
        const answer = await handler({
          params: request.params as never,
          query: request.query as never,
          body: request.body as never,
          app,
          request,
          reply,
        });
        reply.code(answer.status);
        return answer.body === undefined ? reply.send() : answer.body;
      },
    });
    if (route.bodyType === 'binary') binaryBodies.push(options);
    else fastify.route(options());
  }
  // Uploads get the raw body as a stream, whatever its type: their handler writes it to storage as it comes.
  if (binaryBodies.length) {
    void fastify.register(async (uploads) => {
      uploads.removeAllContentTypeParsers();
      uploads.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
      for (const options of binaryBodies) uploads.route(options());
    });
  }
}

/** The contract route a request matched, or null (static files, 404s). */
export function contractRouteOf(request: FastifyRequest): ContractRouteConfig | null {
  const config = request.routeOptions.config as Partial<ContractRouteConfig> | undefined;
  return config?.routeName ? (config as ContractRouteConfig) : null;
}
