import { openDatabase } from '@nt/data';
import { afterEach, describe, expect, it } from 'vitest';
import { LOGIN_ATTEMPTS_PER_MINUTE } from './http/buildHttpServer.js';
import type { RunningServer } from './server.js';
import { startTestServer, type TestServerData } from './testing/testServer.js';

// A browser session for NODETOOL_SERVER_TOKEN as a user lives it: log in, use it, restart the server,
// log out, let it expire. No worker is needed: these are the server's own routes.
const TOKEN = 'session-token-for-tests-a81c77e2';
const serversToClose: RunningServer[] = [];

async function server(env: Record<string, string> = {}, data?: TestServerData): Promise<RunningServer & TestServerData> {
  const started = await startTestServer({ env: { NODETOOL_SERVER_TOKEN: TOKEN, NODETOOL_LOCAL_WORKER: '0', ...env }, ...(data ? { data } : {}) });
  serversToClose.push(started);
  return started;
}

async function login(on: RunningServer, token = TOKEN, forwardedFor?: string): Promise<{ status: number; cookie: string | null; retryAfter: string | null }> {
  const response = await fetch(`${on.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ token }),
  });
  const setCookie = response.headers.get('set-cookie');
  return { status: response.status, cookie: setCookie ? (setCookie.split(';')[0] as string) : null, retryAfter: response.headers.get('retry-after') };
}

/** What the session cookie gets on an API call: 200 while it lives, 401 after. */
async function statusWith(on: RunningServer, cookie: string): Promise<number> {
  return (await fetch(`${on.url}/api/workflows`, { headers: { cookie } })).status;
}

afterEach(async () => {
  for (const started of serversToClose.splice(0)) await started.close();
});

describe('browser sessions', () => {
  it('survive a restart of the server, and end on logout even for a copy of the cookie the browser kept', async () => {
    const first = await server();
    const { cookie } = await login(first);
    expect(await statusWith(first, cookie as string)).toBe(200);
    await first.close();

    const second = await server({}, first);
    expect(await statusWith(second, cookie as string)).toBe(200);
    const logout = await fetch(`${second.url}/api/logout`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookie as string } });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toMatch(/^nodetool_session=; .*Max-Age=0/);
    expect(await statusWith(second, cookie as string)).toBe(401);
  }, 60_000);

  it('expire on the server after NODETOOL_SESSION_DAYS, whatever the cookie says', async () => {
    const running = await server({ NODETOOL_SESSION_DAYS: '2' });
    const { cookie } = await login(running);
    const attributes = (
      await fetch(`${running.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: TOKEN }) })
    ).headers.get('set-cookie');
    expect(attributes).toContain(`Max-Age=${2 * 24 * 3600}`);
    // Two days and a minute later, as the database sees it.
    const db = await openDatabase(running.database);
    const expires = (await db.query.selectFrom('sessions').select('expires_at').execute()).map((row) => row.expires_at);
    expect(expires.every((at) => Math.abs(at - (Date.now() + 2 * 24 * 3600 * 1000)) < 60_000)).toBe(true);
    await db.query
      .updateTable('sessions')
      .set({ expires_at: Date.now() - 60_000 })
      .execute();
    await db.close();
    expect(await statusWith(running, cookie as string)).toBe(401);
  }, 60_000);

  it('end when NODETOOL_SERVER_TOKEN changes, and keep no cookie value in the database', async () => {
    const first = await server();
    const { cookie } = await login(first);
    await first.close();
    const db = await openDatabase(first.database);
    const stored = JSON.stringify(await db.query.selectFrom('sessions').selectAll().execute());
    await db.close();
    expect(stored).not.toContain((cookie as string).split('=')[1]?.split('.')[1]);
    expect(stored).not.toContain(TOKEN);

    const rotated = await server({ NODETOOL_SERVER_TOKEN: 'a-new-token-after-rotation-5521' }, first);
    expect(await statusWith(rotated, cookie as string)).toBe(401);
  }, 60_000);
});

describe('the login rate limit', () => {
  it(`refuses the ${LOGIN_ATTEMPTS_PER_MINUTE + 1}th attempt in a minute from one address with 429 and Retry-After, the right token too, ?token= links included`, async () => {
    const running = await server();
    for (let attempt = 0; attempt < LOGIN_ATTEMPTS_PER_MINUTE - 1; attempt++)
      expect((await login(running, `guess-number-${attempt}-xxxxxxxx`)).status).toBe(401);
    const link = await fetch(`${running.url}/?token=one-more-guess`, { redirect: 'manual' });
    expect(link.status).toBe(302);

    const limited = await login(running);
    expect(limited.status).toBe(429);
    expect(limited.cookie).toBeNull();
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    const body = (await (
      await fetch(`${running.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"x"}' })
    ).json()) as {
      error: string;
    };
    expect(body.error).toMatch(/^too many login attempts from this address; try again in \d+ s$/);
    expect((await fetch(`${running.url}/?token=${TOKEN}`, { redirect: 'manual' })).status).toBe(429);
    // The API itself is not limited: a client with the token carries on.
    expect((await fetch(`${running.url}/api/workflows`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  }, 60_000);

  it('is counted in the database: a restarted server (or another replica) still refuses the guesser', async () => {
    const first = await server();
    for (let attempt = 0; attempt < LOGIN_ATTEMPTS_PER_MINUTE; attempt++) expect((await login(first, `guess-${attempt}-xxxxxxxxxxxx`)).status).toBe(401);
    await first.close();
    const second = await server({}, first);
    const limited = await login(second);
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
  }, 60_000);
});

describe('the login rate limit behind a proxy (NODETOOL_TRUST_PROXY)', () => {
  const guessTenTimes = async (running: RunningServer, from: string) => {
    for (let attempt = 0; attempt < LOGIN_ATTEMPTS_PER_MINUTE; attempt++)
      expect((await login(running, `wrong-guess-${attempt}-xxxxxxxx`, from)).status).toBe(401);
    expect((await login(running, TOKEN, from)).status).toBe(429);
  };

  it('counts each client the proxy names: one guessing client does not lock the others out', async () => {
    // The proxy in front is this machine (127.0.0.1): what it says in X-Forwarded-For is believed.
    const running = await server({ NODETOOL_TRUST_PROXY: '127.0.0.1' });
    await guessTenTimes(running, '203.0.113.7');
    expect((await login(running, TOKEN, '203.0.113.8')).status).toBe(200);
  }, 60_000);

  it('counts each client with a hop count as well (one proxy in front)', async () => {
    const running = await server({ NODETOOL_TRUST_PROXY: '1' });
    await guessTenTimes(running, '203.0.113.7');
    expect((await login(running, TOKEN, '203.0.113.8')).status).toBe(200);
  }, 60_000);

  it('without it, believes no X-Forwarded-For: a client cannot dodge the limit by naming another address', async () => {
    const running = await server();
    await guessTenTimes(running, '203.0.113.7');
    expect((await login(running, TOKEN, '203.0.113.8')).status).toBe(429);
  }, 60_000);
});
