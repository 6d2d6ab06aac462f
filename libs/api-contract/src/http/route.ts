import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** `public`: anyone who passes the Host and Origin checks (it must reveal nothing private); `token`: NODETOOL_SERVER_TOKEN when one is set. */
export type Access = 'public' | 'token';

/** The error statuses a route may answer, each with an {@link ErrorReply}. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 416 | 421 | 424 | 429 | 500 | 502 | 503 | 504;

/**
 * One HTTP route: everything the server, the clients and the README need to agree on. The server
 * validates params, query and body with these schemas and checks its replies against `replies`; the
 * clients are typed from them.
 */
export interface RouteSpec {
  method: HttpMethod;
  /** `:name` segments are params. */
  path: string;
  access: Access;
  /** One line for the README's endpoint table. */
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Success replies by status; `null`: no body (204). */
  replies: { readonly [status: number]: z.ZodType | null };
  /** The errors it answers by design, and when (every route may also answer 401 when it needs the token, 5xx when something broke). */
  errors: Partial<Record<ErrorStatus, string>>;
  /** Largest request body in bytes; without it, the server's NODETOOL_MAX_BODY_BYTES. */
  bodyLimit?: number;
  /** `binary`: the request body is raw bytes (an upload), streamed, any media type a browser must ask first to send. */
  bodyType?: 'json' | 'binary';
  /** `binary`: the reply is raw bytes (an asset), not JSON; typed clients leave such routes to a plain fetch. */
  response?: 'json' | 'binary';
}

/** Declares a route, keeping its literal types (the clients' and handlers' signatures come from them). */
export function route<const R extends RouteSpec>(spec: R): R {
  return spec;
}

/** A contract: routes, grouped (`workflows.get`). */
export interface RouteGroup {
  readonly [name: string]: RouteSpec | RouteGroup;
}

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;
type Input<S> = S extends z.ZodType ? z.input<S> : undefined;

/** What a route answers on success: the status and its body, one variant per declared status. */
export type SuccessReply<R extends RouteSpec> = {
  [S in keyof R['replies'] & number]: { status: S; body: Output<R['replies'][S]> };
}[keyof R['replies'] & number];

/** The same, as a handler produces it (before the reply schema's transforms); a binary route's body is a stream or bytes. */
export type HandlerReply<R extends RouteSpec> = {
  [S in keyof R['replies'] & number]: { status: S; body: R['response'] extends 'binary' ? unknown : Input<R['replies'][S]> };
}[keyof R['replies'] & number];

/** Nothing required: `{}` or undefined satisfies it. */
type Empty = Record<never, never>;

type Field<Key extends string, S> = S extends z.ZodType
  ? undefined extends z.input<S>
    ? { [K in Key]?: z.input<S> }
    : Empty extends z.input<S>
      ? { [K in Key]?: z.input<S> }
      : { [K in Key]: z.input<S> }
  : unknown;

/** What a client passes: params, query and body where the route has them. */
export type RouteInput<R extends RouteSpec> = Field<'params', R['params']> & Field<'query', R['query']> & Field<'body', R['body']>;

/** True when a client may call the route with no argument at all. */
export type InputIsOptional<R extends RouteSpec> = Empty extends RouteInput<R> ? true : false;
