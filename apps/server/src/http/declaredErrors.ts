import type { RouteSpec } from '@nt/api-contract';

/**
 * Whether `route` may answer `status` by its contract: a status its `errors` declare, or one every route
 * of its kind may answer without saying so (the route.ts rule): 5xx; 401 when it needs the token; the
 * security checks' 403 and 421 on any route; 400 from its own schemas; 413 and 415 for a body.
 */
export function declaresStatus(route: RouteSpec, status: number): boolean {
  if (status >= 500 || status < 400) return true;
  if (Object.hasOwn(route.errors, status)) return true;
  if (status === 401) return route.access === 'token';
  if (status === 403 || status === 421) return true;
  const hasBody = route.body !== undefined || route.bodyType === 'binary';
  if (status === 400) return hasBody || route.params !== undefined || route.query !== undefined;
  if (status === 413 || status === 415) return hasBody;
  return false;
}
