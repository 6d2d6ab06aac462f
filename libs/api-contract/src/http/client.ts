import { ApiError } from './errorReply.js';
import { fillPath } from './paths.js';
import type { HttpMethod, InputIsOptional, RouteGroup, RouteInput, RouteSpec, SuccessReply } from './route.js';

/** How a client reaches the server: one request, its status and its parsed JSON body (null when empty). */
export type Transport = (request: { method: HttpMethod; path: string; body?: string }) => Promise<{ status: number; body: unknown }>;

type Call<R extends RouteSpec> =
  InputIsOptional<R> extends true ? (input?: RouteInput<R>) => Promise<SuccessReply<R>> : (input: RouteInput<R>) => Promise<SuccessReply<R>>;

/** A method per route, named and grouped as in the contract: `client.workflows.get({ params: { id } })`. */
export type ClientOf<G extends RouteGroup> = {
  [K in keyof G as G[K] extends { response: 'binary' } | { bodyType: 'binary' } ? never : K]: G[K] extends RouteSpec
    ? Call<G[K]>
    : G[K] extends RouteGroup
      ? ClientOf<G[K]>
      : never;
};

/**
 * A typed client over any transport (fetch in the browser, fetch with a token in the CLI). A status the
 * route does not declare as success throws ApiError with the server's message; paths are built from
 * the contract, params encoded, so no caller writes one.
 */
export function createClient<G extends RouteGroup>(contract: G, transport: Transport): ClientOf<G> {
  const client: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(contract)) {
    // Bytes in or out (an asset, an upload) are a plain fetch of the route's path, not JSON calls.
    if (isRoute(entry) && (entry.response === 'binary' || entry.bodyType === 'binary')) continue;
    client[name] = isRoute(entry) ? callerOf(entry, transport) : createClient(entry as RouteGroup, transport);
  }
  return client as ClientOf<G>;
}

function isRoute(entry: RouteSpec | RouteGroup): entry is RouteSpec {
  return typeof (entry as RouteSpec).method === 'string' && typeof (entry as RouteSpec).path === 'string';
}

function callerOf(spec: RouteSpec, transport: Transport) {
  return async (input: { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown } = {}) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(input.query ?? {})) if (value !== undefined) query.set(key, String(value));
    const path = fillPath(spec.path, input.params) + (query.size ? `?${query}` : '');
    const body = spec.method === 'GET' ? undefined : input.body === undefined ? undefined : JSON.stringify(input.body);
    const answer = await transport({ method: spec.method, path, body });
    if (answer.status in spec.replies) return { status: answer.status, body: answer.body ?? undefined };
    const error = answer.body as { error?: unknown; details?: unknown } | null;
    throw new ApiError(answer.status, typeof error?.error === 'string' ? error.error : `${spec.method} ${spec.path} answered ${answer.status}`, error?.details);
  };
}
