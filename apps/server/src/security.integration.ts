import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { configFromEnv } from './config.js';
import type { RunningServer } from './server.js';
import { api, echoGraph, node, startTestServer, waitForWorker, wsClient } from './testing/testServer.js';

// Every test names the attack it stops. "Nothing was created" is checked through the job list.
const TOKEN = 'server-token-for-tests-5e21c9a7b3';

/** A raw request, so Host, Origin and Sec-Fetch-Site can be what an attacker's browser would send. */
function raw(
  server: RunningServer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Outcome of a WebSocket upgrade: 'open', or the HTTP status it was refused with. */
function upgrade(server: RunningServer, headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, { headers });
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', () => undefined);
  });
}

async function jobCount(server: RunningServer, headers: Record<string, string> = {}): Promise<number> {
  return (await api(server, 'GET', '/api/jobs?limit=500', undefined, headers)).body.jobs.length;
}

const runBody = JSON.stringify({ graph: echoGraph('attack'), wait: true });

describe('a server without a token, on loopback', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { NODETOOL_ALLOWED_ORIGINS: 'http://localhost:5173', NODETOOL_ALLOWED_HOSTS: 'workstation.lan' } });
    await waitForWorker(server);
  }, 60_000);
  afterAll(() => server.close());

  it('refuses a Host it does not answer to with 421 (DNS rebinding reads no job list and starts no run)', async () => {
    const before = await jobCount(server);
    const host = 'rebind.attacker.example:7777';
    expect((await raw(server, 'GET', '/api/jobs', { host })).status).toBe(421);
    const post = await raw(server, 'POST', '/api/run', { host, 'content-type': 'application/json' }, runBody);
    expect(post.status).toBe(421);
    expect(JSON.parse(post.body).error).toMatch(/does not answer to the host "rebind\.attacker\.example:7777"; add it to NODETOOL_ALLOWED_HOSTS/);
    expect(await upgrade(server, { host })).toBe(421);
    expect(await jobCount(server)).toBe(before);
  });

  it('answers loopback names and NODETOOL_ALLOWED_HOSTS', async () => {
    for (const host of ['localhost', 'localhost:7777', '127.0.0.1:7777', '[::1]:7777', 'app.localhost', 'workstation.lan:7777']) {
      expect((await raw(server, 'GET', '/api/jobs', { host })).status, host).toBe(200);
    }
  });

  it('refuses a cross-site no-cors text/plain POST to /api/run (the body parser used to ignore Content-Type)', async () => {
    const before = await jobCount(server);
    const fromPage = { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain;charset=UTF-8' };
    expect((await raw(server, 'POST', '/api/run', { ...fromPage, host: new URL(server.url).host }, runBody)).status).toBe(403);
    // The same body without Origin (a non-browser client) still needs JSON: 415, naming it.
    const plain = await raw(server, 'POST', '/api/run', { host: new URL(server.url).host, 'content-type': 'text/plain' }, runBody);
    expect(plain.status).toBe(415);
    expect(JSON.parse(plain.body).error).toBe('POST requests must be sent as Content-Type: application/json, not "text/plain"');
    expect(await jobCount(server)).toBe(before);
  });

  it('refuses an HTML form POST (urlencoded) and a JSON fetch from another site', async () => {
    const before = await jobCount(server);
    const host = new URL(server.url).host;
    expect((await raw(server, 'POST', '/api/run', { host, 'content-type': 'application/x-www-form-urlencoded' }, 'graph=x')).status).toBe(415);
    expect((await raw(server, 'POST', '/api/run', { host, origin: 'http://evil.example', 'content-type': 'application/json' }, runBody)).status).toBe(403);
    expect((await raw(server, 'POST', '/api/run', { host, 'sec-fetch-site': 'same-site', 'content-type': 'application/json' }, runBody)).status).toBe(403);
    expect((await raw(server, 'DELETE', '/api/workflows/x', { host, origin: 'null', 'content-type': 'application/json' })).status).toBe(403);
    expect(await jobCount(server)).toBe(before);
  });

  it('lets its own pages and NODETOOL_ALLOWED_ORIGINS through, with CORS only for the listed origin', async () => {
    const host = new URL(server.url).host;
    const own = await raw(
      server,
      'POST',
      '/api/run',
      { host, origin: server.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
      runBody,
    );
    expect(own.status).toBe(200);
    expect(own.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await raw(server, 'OPTIONS', '/api/run', { host, origin: 'http://localhost:5173', 'access-control-request-method': 'POST' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const listed = await raw(server, 'POST', '/api/run', { host, origin: 'http://localhost:5173', 'content-type': 'application/json' }, runBody);
    expect(listed.status).toBe(200);
    expect((await raw(server, 'OPTIONS', '/api/run', { host, origin: 'http://evil.example' })).status).toBe(403);
  });

  it('refuses a WebSocket from another origin with 403 (cross-site WebSocket hijacking), accepts its own and non-browser clients', async () => {
    const host = new URL(server.url).host;
    expect(await upgrade(server, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade(server, { origin: 'http://127.0.0.2:7777' })).toBe(403);
    expect(await upgrade(server, { origin: `http://${host}` })).toBe('open');
    expect(await upgrade(server, { origin: 'http://localhost:5173' })).toBe('open');
    expect(await upgrade(server, {})).toBe('open');
  });

  it('sends every client only the events of runs it started or subscribed to (no snooping on other runs)', async () => {
    const starter = await wsClient(server);
    const bystander = await wsClient(server);
    starter.send({ command: 'run_job', data: { graph: echoGraph('private result'), job_id: 'mine-only' } });
    await starter.waitFor((m) => m.type === 'job_update' && m.job_id === 'mine-only' && m.status === 'completed');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bystander.messages.filter((m) => m.job_id === 'mine-only')).toEqual([]);
    expect(bystander.messages.map((m) => m.type)).toEqual(['worker_status']);

    // A client that asks to watch a run gets its state so far, then its events.
    const later = await api(server, 'POST', '/api/run', {
      graph: { nodes: [node('nap', 'fixtures.Sleep', { seconds: 0.5, steps: 5 })], edges: [] },
      job_id: 'watch-me',
    });
    expect(later.status).toBe(202);
    bystander.send({ command: 'subscribe', data: { job_id: 'watch-me' }, request_id: 's1' });
    expect(await bystander.waitFor((m) => m.type === 'subscribed')).toMatchObject({ job_id: 'watch-me', job: { id: 'watch-me' }, request_id: 's1' });
    expect(await bystander.waitFor((m) => m.type === 'job_update' && m.job_id === 'watch-me' && m.status === 'completed')).toBeTruthy();
    expect(starter.messages.filter((m) => m.job_id === 'watch-me')).toEqual([]);
    bystander.send({ command: 'subscribe', data: { job_id: 'no-such-job' }, request_id: 's2' });
    expect(await bystander.waitFor((m) => m.request_id === 's2')).toMatchObject({ type: 'error', status: 404 });
    starter.close();
    bystander.close();
  });
});

describe('a server with NODETOOL_SERVER_TOKEN', () => {
  let server: RunningServer;
  const bearer = { authorization: `Bearer ${TOKEN}` };
  beforeAll(async () => {
    server = await startTestServer({ env: { NODETOOL_SERVER_TOKEN: TOKEN } });
    await waitForWorker(server);
  }, 60_000);
  afterAll(() => server.close());

  it('refuses every API call and the WebSocket without the token (a stranger on the network)', async () => {
    for (const [method, path] of [
      ['GET', '/api/jobs'],
      ['GET', '/api/nodes'],
      ['GET', '/api/workflows'],
      ['POST', '/api/run'],
    ] as const) {
      const response = await api(server, method, path, method === 'POST' ? { graph: echoGraph(1) } : undefined);
      expect(response.status, `${method} ${path}`).toBe(401);
    }
    expect((await api(server, 'GET', '/api/jobs', undefined, { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
    expect(await upgrade(server, {})).toBe(401);
    expect(await jobCount(server, bearer)).toBe(0);
  });

  it('accepts the token as a bearer header, on the API and the WebSocket', async () => {
    expect((await api(server, 'POST', '/api/run', { graph: echoGraph('with token'), wait: true }, bearer)).body).toMatchObject({ status: 'completed' });
    expect(await upgrade(server, bearer)).toBe('open');
  });

  it('says only "ok" on /health without the token, and everything with it', async () => {
    expect((await api(server, 'GET', '/health')).body).toEqual({ status: 'ok' });
    expect((await api(server, 'GET', '/health', undefined, bearer)).body.worker).toMatchObject({ state: 'connected' });
  });

  it('logs a browser in with a session cookie that is HttpOnly, SameSite=Strict and does not contain the token', async () => {
    expect((await api(server, 'POST', '/api/login', { token: 'not-the-token-at-all' })).status).toBe(401);
    const response = await fetch(`${server.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(response.status).toBe(200);
    const cookie = response.headers.get('set-cookie') ?? '';
    // Each attribute, in whatever order the cookie library writes them.
    const [pair, ...attributes] = cookie.split('; ');
    expect(pair).toMatch(/^nodetool_session=[\w-]+\.[\w-]+$/);
    expect(attributes.sort()).toEqual(['HttpOnly', expect.stringMatching(/^Max-Age=\d+$/), 'Path=/', 'SameSite=Strict']);
    expect(cookie).not.toContain(TOKEN);
    const session = { cookie: cookie.split(';')[0] as string };
    expect((await api(server, 'GET', '/api/jobs', undefined, session)).status).toBe(200);
    expect(await upgrade(server, session)).toBe('open');
    expect((await api(server, 'GET', '/api/jobs', undefined, { cookie: 'nodetool_session=forged.signature' })).status).toBe(401);
  });

  it('takes ?token= once (Jupyter-style) and redirects to the same page without it', async () => {
    const right = await raw(server, 'GET', `/workflows?token=${TOKEN}&tab=runs`, { host: new URL(server.url).host });
    expect(right.status).toBe(302);
    expect(right.headers.location).toBe('/workflows?tab=runs');
    expect(String(right.headers['set-cookie'])).toMatch(/^nodetool_session=/);
    const wrong = await raw(server, 'GET', '/?token=guess', { host: new URL(server.url).host });
    expect(wrong.status).toBe(302);
    expect(wrong.headers.location).toBe('/');
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });
});

describe('paths an attacker shapes', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { NODETOOL_SERVER_TOKEN: TOKEN, NODETOOL_LOCAL_WORKER: '0' } });
  }, 60_000);
  afterAll(() => server.close());

  it('never redirects a ?token= link to another site, however many slashes or backslashes lead the path', async () => {
    const host = { host: new URL(server.url).host };
    for (const [path, location] of [
      ['//x//evil.com/?token=1', '/x//evil.com/'],
      ['//evil.com/?token=1', '/evil.com/'],
      ['/\\evil.com/?token=1&tab=2', '/evil.com/?tab=2'],
      ['/%2F%2Fevil.com/?token=1', '/%2F%2Fevil.com/'],
    ]) {
      const answer = await raw(server, 'GET', path as string, host);
      expect(answer.status, path).toBe(302);
      expect(answer.headers.location, path).toBe(location);
      expect(new URL(answer.headers.location as string, 'http://self.example').host, path).toBe('self.example');
    }
  });

  it('answers a malformed %-escape with 400 naming it, not a 500', async () => {
    for (const path of ['/api/jobs/%E0%A4%A', '/api/workflows/%', '/%zz']) {
      const answer = await raw(server, 'GET', path, { host: new URL(server.url).host, authorization: `Bearer ${TOKEN}` });
      expect(answer.status, path).toBe(400);
      expect(JSON.parse(answer.body), path).toEqual({ error: 'the path has a malformed %-escape' });
      expect(answer.headers['x-frame-options'], path).toBe('DENY');
    }
  });
});

describe('settings that cannot be safe or cannot work', () => {
  it('refuses to listen beyond loopback without NODETOOL_SERVER_TOKEN, naming it', () => {
    for (const host of ['0.0.0.0', '192.168.1.20', '::']) {
      expect(() => configFromEnv({ HOST: host })).toThrow(/HOST=.* makes the server reachable beyond this machine.*set NODETOOL_SERVER_TOKEN/);
    }
    expect(configFromEnv({ HOST: '0.0.0.0', NODETOOL_SERVER_TOKEN: TOKEN }).serverToken).toBe(TOKEN);
    expect(configFromEnv({ HOST: '127.0.0.1' }).serverToken).toBeNull();
  });

  it('takes a token over plain ws:// to a private network (a cluster, a compose network, a tunnel), and to a public address only when told to', () => {
    for (const url of ['ws://10.96.0.10:7777', 'ws://172.18.0.3:7777', 'ws://100.101.102.103:7777'])
      expect(configFromEnv({ NODETOOL_WORKER_URL: url, NODETOOL_WORKER_TOKEN: TOKEN }).workerPool.workers).toHaveLength(1);
    expect(
      configFromEnv({ NODETOOL_WORKER_URL: 'ws://203.0.113.7:7777', NODETOOL_WORKER_TOKEN: TOKEN, NODETOOL_WORKER_ALLOW_PLAINTEXT: '1' }).workerPool.workers,
    ).toHaveLength(1);
  });

  it.each([
    [{ PORT: 'http' }, /PORT must be a whole number, got "http"/],
    [{ PORT: '70000' }, /PORT must be between 0 and 65535/],
    [{ NODETOOL_SERVER_TOKEN: 'short' }, /NODETOOL_SERVER_TOKEN is 5 characters long; use at least 16/],
    [{ NODETOOL_MAX_CONCURRENT_RUNS: '0' }, /NODETOOL_MAX_CONCURRENT_RUNS must be between 1/],
    [{ NODETOOL_ALLOWED_ORIGINS: 'localhost:5173' }, /NODETOOL_ALLOWED_ORIGINS entries must be origins like http:\/\/localhost:5173/],
    [{ NODETOOL_WORKER_URL: 'foo://x' }, /NODETOOL_WORKER_URL or --worker-url\) must start with ws:\/\/, wss:\/\/, runpod:\/\/ or vast:\/\//],
    [{ NODETOOL_WORKER_SECRETS: 'HF_TOKEN,NODETOOL_WORKER_TOKEN' }, /NODETOOL_WORKER_SECRETS names NODETOOL_WORKER_TOKEN, a credential of this system/],
    [{ NODETOOL_SERVER_TOKEN_FILE: '/nonexistent/token' }, /cannot read NODETOOL_SERVER_TOKEN_FILE \/nonexistent\/token: ENOENT/],
    [
      { NODETOOL_WORKER_URL: 'ws://203.0.113.7:7777', NODETOOL_WORKER_TOKEN: TOKEN },
      /refusing to send the worker token over plain ws:\/\/ to ws:\/\/203\.0\.113\.7:7777 \(203\.0\.113\.7, a public address\).*NODETOOL_WORKER_ALLOW_PLAINTEXT=1/,
    ],
    [
      { NODETOOL_WORKER_URL: 'ws://10.0.0.5:7777', NODETOOL_WORKER_TLS_FINGERPRINT: 'AB'.repeat(32) },
      /is set for ws:\/\/10\.0\.0\.5:7777, which does not use TLS/,
    ],
  ])('refuses %o with a message that names it', (env, message) => {
    expect(() => configFromEnv(env as Record<string, string>)).toThrow(message);
  });
});
