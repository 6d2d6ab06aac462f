import type { IncomingMessage } from 'node:http';
import { ForbiddenError, MisdirectedHostError, UnsupportedMediaTypeError, type DomainError } from '../errors.js';
import type { HostPolicy } from './hostPolicy.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** What a browser says about where a request came from; only these two mean "this site, or the user". */
const SAME_ORIGIN_FETCH_SITES = new Set(['same-origin', 'none']);

/**
 * The checks every HTTP request passes before routing, in order:
 * 1. Host must be one this server answers to (421): DNS rebinding sends the attacker's name.
 * 2. A state-changing request must not come from another site (403): Sec-Fetch-Site or Origin says so.
 * 3. ...and must be JSON (415): a cross-site form or no-cors fetch can only send urlencoded, multipart or
 *    text/plain, and anything else makes the browser ask first (a CORS preflight this server never grants).
 *    An upload (a binary body) may be any type but those three, for the same reason.
 */
export function refuseRequest(request: IncomingMessage, policy: HostPolicy, body: 'json' | 'binary' = 'json'): DomainError | null {
  const host = request.headers.host;
  if (!policy.isAllowedHost(host)) {
    return new MisdirectedHostError(`this server does not answer to the host ${JSON.stringify(host ?? '')}; add it to NODETOOL_ALLOWED_HOSTS if it is yours`);
  }
  const method = request.method ?? 'GET';
  if (!STATE_CHANGING.has(method)) return null;
  const crossSite = crossSiteReason(request, policy);
  if (crossSite) return new ForbiddenError(`refused a ${method} from another site (${crossSite})`);
  const type = request.headers['content-type'] ?? '';
  if (body === 'binary') {
    if (!type || /^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\s*(;|$)/i.test(type)) {
      return new UnsupportedMediaTypeError(
        `an upload must be sent with its own Content-Type (image/png, application/octet-stream, …), not ${type ? JSON.stringify(type) : 'none'}`,
      );
    }
    return null;
  }
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    return new UnsupportedMediaTypeError(`${method} requests must be sent as Content-Type: application/json${type ? `, not ${JSON.stringify(type)}` : ''}`);
  }
  return null;
}

/** A WebSocket upgrade: the allowed Host, and no Origin but our own (browsers always send it; other clients need not). */
export function refuseUpgrade(request: IncomingMessage, policy: HostPolicy): DomainError | null {
  if (!policy.isAllowedHost(request.headers.host)) return new MisdirectedHostError('this server does not answer to that host');
  const origin = request.headers.origin;
  if (origin !== undefined && !policy.isAllowedOrigin(origin, request.headers.host)) {
    return new ForbiddenError(`WebSocket from origin ${JSON.stringify(origin)} refused; add it to NODETOOL_ALLOWED_ORIGINS if it is yours`);
  }
  return null;
}

/** Origin decides when present (an origin listed in NODETOOL_ALLOWED_ORIGINS is cross-site by nature); else Sec-Fetch-Site. */
function crossSiteReason(request: IncomingMessage, policy: HostPolicy): string | null {
  const origin = request.headers.origin;
  if (origin !== undefined) return policy.isAllowedOrigin(origin, request.headers.host) ? null : `Origin: ${origin}`;
  const fetchSite = request.headers['sec-fetch-site'];
  if (typeof fetchSite === 'string' && !SAME_ORIGIN_FETCH_SITES.has(fetchSite)) return `Sec-Fetch-Site: ${fetchSite}`;
  return null;
}
