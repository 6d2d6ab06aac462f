import type { apiContract } from '@nt/api-contract';
import type { Handlers } from '../http/contractRoutes.js';
import { AuthenticationError } from '../errors.js';
import { clearSessionCookie, setSessionCookie } from '../security/sessionCookie.js';
import type { LoginDeps } from '../security/linkLogin.js';
import { SESSION_COOKIE } from '../security/sessions.js';

/** Login for the UI when NODETOOL_SERVER_TOKEN is set: the token once, then an HttpOnly session cookie. */
export const authHandlers: Handlers<typeof apiContract.auth, LoginDeps> = {
  login: async ({ app, body, request, reply }) => {
    if (!app.serverToken || !app.sessions) return { status: 200, body: { authenticated: true, token_required: false } };
    if (!app.serverToken.matches(body.token)) throw new AuthenticationError('wrong token');
    setSessionCookie(reply, request, await app.sessions.create());
    return { status: 200, body: { authenticated: true, token_required: true } };
  },

  logout: async ({ app, request, reply }) => {
    if (app.sessions) {
      await app.sessions.revoke(request.cookies[SESSION_COOKIE]);
      clearSessionCookie(reply);
    }
    return { status: 204, body: undefined };
  },
};
