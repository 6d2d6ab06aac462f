import type { App } from '../app.js';
import { HttpError } from '../http/httpError.js';
import { readJsonBody } from '../http/readJsonBody.js';
import type { Router } from '../http/router.js';
import { clearedSessionCookie } from '../security/serverToken.js';

/** Login for the UI when NODETOOL_SERVER_TOKEN is set: the token once, then an HttpOnly session cookie. */
export function addAuthRoutes(router: Router, app: App): void {
  router.addPublic('POST', '/api/login', async ({ request, response }) => {
    const token = app.serverToken;
    if (!token) return { status: 200, body: { authenticated: true, token_required: false } };
    const body = (await readJsonBody(request, 4096)) as Record<string, unknown>;
    if (typeof body['token'] !== 'string' || !token.matches(body['token'])) throw new HttpError(401, 'wrong token');
    response.setHeader('set-cookie', token.sessionCookie(isHttps(request.headers)));
    return { status: 200, body: { authenticated: true, token_required: true } };
  });

  router.addPublic('POST', '/api/logout', ({ response }) => {
    response.setHeader('set-cookie', clearedSessionCookie());
    return { status: 204 };
  });
}

/** Behind a TLS-terminating proxy the cookie should be Secure; the proxy says so in X-Forwarded-Proto. */
export function isHttps(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['x-forwarded-proto'] === 'https';
}
