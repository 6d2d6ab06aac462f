import { z } from 'zod';
import { route } from '../route.js';

export const auth = {
  login: route({
    method: 'POST',
    path: '/api/login',
    access: 'public',
    summary:
      '`{token}` → the UI’s session cookie for `NODETOOL_SERVER_TOKEN` (HttpOnly, SameSite=Strict, kept by the server, `NODETOOL_SESSION_DAYS`); rate-limited',
    body: z.object({ token: z.string({ error: '"token" must be a string' }) }),
    replies: { 200: z.object({ authenticated: z.literal(true), token_required: z.boolean() }) },
    errors: { 401: 'wrong token', 429: 'too many attempts from this address; Retry-After says when to try again' },
    bodyLimit: 4096,
  }),
  logout: route({
    method: 'POST',
    path: '/api/logout',
    access: 'public',
    summary: 'ends the session: the server forgets it and the browser drops the cookie',
    replies: { 204: null },
    errors: {},
  }),
};
