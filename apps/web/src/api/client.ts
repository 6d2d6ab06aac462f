import { apiContract, createClient, type Transport } from '@nt/api-contract';

/** The server wants its token (NODETOOL_SERVER_TOKEN) and this browser has no session yet. */
export class AuthRequiredError extends Error {}

/** The page's own server, same origin: the session cookie rides along; the token is never held here. */
const sameOrigin: Transport = async ({ method, path, body }) => {
  const response = await fetch(path, {
    method,
    // Every state-changing call is JSON, even without a body: the server refuses anything else (CSRF defence).
    headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  const payload: unknown = text ? JSON.parse(text) : null;
  if (response.status === 401) throw new AuthRequiredError((payload as { error?: string } | null)?.error ?? 'the server needs its token');
  return { status: response.status, body: payload };
};

/** The server's API, typed from the contract: `api.workflows.get({ params: { id } })`. */
export const api = createClient(apiContract, sameOrigin);
