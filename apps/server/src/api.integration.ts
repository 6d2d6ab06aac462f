import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_NODE_TYPES, spawnRealWorker, type RealWorker } from '@nt/test-fixtures';
import { api, echoGraph, edge, node, startTestServer, waitForWorker, type TestServerData } from './testing/testServer.js';
import type { RunningServer } from './server.js';

const SMOKE = JSON.parse(readFileSync(new URL('../../../examples/hf-worker-smoke.json', import.meta.url), 'utf8'));

describe('HTTP API against the real worker (fixture nodes)', () => {
  let server: RunningServer & TestServerData;
  beforeAll(async () => {
    server = await startTestServer();
    await waitForWorker(server);
  }, 60_000);
  afterAll(() => server.close());

  it('reports the server and the worker in /health', async () => {
    const { status, body } = await api(server, 'GET', '/health');
    expect(status).toBe(200);
    expect(body.worker).toMatchObject({
      state: 'connected',
      transport: 'stdio',
      protocol_version: 6,
      node_count: FIXTURE_NODE_TYPES.length,
      namespaces: ['fixtures'],
      load_errors: [],
    });
    expect(body.worker.last_round_trip_ms).toBeGreaterThan(0);
  });

  it('lists worker nodes and TS built-ins together in /api/nodes', async () => {
    const { body } = await api(server, 'GET', '/api/nodes');
    const types = body.nodes.map((n: { node_type: string }) => n.node_type);
    expect(types).toEqual(expect.arrayContaining(['fixtures.Echo', 'nodetool.workflows.base_node.Preview', 'nodetool.vector.CosineSimilarity']));
  });

  it('imports, lists, reads and deletes a workflow file', async () => {
    const created = await api(server, 'POST', '/api/workflows', SMOKE);
    expect(created).toEqual({ status: 201, body: { id: 'hf-worker-smoke', name: SMOKE.name, node_count: 7 } });
    expect((await api(server, 'GET', '/api/workflows')).body.workflows.map((w: { id: string }) => w.id)).toContain('hf-worker-smoke');
    const read = await api(server, 'GET', '/api/workflows/hf-worker-smoke');
    expect(read.body.document.graph.nodes[0].ui_properties.position).toEqual({ x: 80, y: 60 });
    expect((await api(server, 'DELETE', '/api/workflows/hf-worker-smoke')).status).toBe(204);
    expect((await api(server, 'GET', '/api/workflows/hf-worker-smoke')).status).toBe(404);
  });

  it('runs a saved workflow and waits for its result', async () => {
    await api(server, 'POST', '/api/workflows', { id: 'echo', name: 'Echo', graph: echoGraph('saved') });
    const run = await api(server, 'POST', '/api/workflows/echo/run', { wait: true });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ workflow_id: 'echo', status: 'completed', result: { outputs: { out: 'saved' } } });
    const job = await api(server, 'GET', `/api/jobs/${run.body.id}`);
    expect(job.body.result.nodes.say).toMatchObject({ status: 'completed', type: 'fixtures.Echo' });
  });

  it('starts an inline run without waiting, then reports it through /api/jobs/:id', async () => {
    const started = await api(server, 'POST', '/api/run', {
      graph: {
        nodes: [node('nap', 'fixtures.Sleep', { seconds: 0.3, steps: 3 }), node('p', 'nodetool.workflows.base_node.Preview', { name: 'slept' })],
        edges: [edge('nap', 'p')],
      },
    });
    expect(started.status).toBe(202);
    const id = started.body.job_id;
    let job;
    do {
      job = (await api(server, 'GET', `/api/jobs/${id}`)).body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } while (job.status === 'running' || job.status === 'queued');
    expect(job).toMatchObject({ status: 'completed', result: { outputs: { slept: 0.3 } } });
  });

  it('cancels a running job', async () => {
    const started = await api(server, 'POST', '/api/run', { graph: { nodes: [node('long', 'fixtures.Sleep', { seconds: 30, steps: 300 })], edges: [] } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await api(server, 'POST', `/api/jobs/${started.body.job_id}/cancel`)).status).toBe(202);
    let job;
    do {
      job = (await api(server, 'GET', `/api/jobs/${started.body.job_id}`)).body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } while (job.status === 'running');
    expect(job.status).toBe('cancelled');
    expect((await api(server, 'POST', `/api/jobs/${started.body.job_id}/cancel`)).status).toBe(409);
  });

  it('reports a failing node with its name and message', async () => {
    const run = await api(server, 'POST', '/api/run', { graph: { nodes: [node('bad', 'fixtures.Fail', { message: 'nope' })], edges: [] }, wait: true });
    expect(run.body.status).toBe('failed');
    expect(run.body.error).toBe('node "bad" (fixtures.Fail) failed: Worker failed execute of fixtures.Fail: nope');
  });

  describe('bad input gets a 4xx naming the problem, and nothing is saved', () => {
    it('invalid JSON', async () => {
      const { status, body } = await api(server, 'POST', '/api/workflows', '{"nodes": [');
      expect(status).toBe(400);
      expect(body.error).toMatch(/request body is not valid JSON/);
    });

    it('a graph that does not validate', async () => {
      const before = (await api(server, 'GET', '/api/workflows')).body.workflows.length;
      const broken = await api(server, 'POST', '/api/workflows', { id: 'broken', graph: { nodes: [node('a', 'fixtures.Echo')], edges: [edge('a', 'ghost')] } });
      expect(broken.status).toBe(400);
      expect(broken.body.error).toMatch(/goes to node "ghost", which does not exist/);
      expect((await api(server, 'GET', '/api/workflows')).body.workflows.length).toBe(before);
      const unknown = await api(server, 'POST', '/api/run', { graph: { nodes: [node('x', 'fixtures.Ecko')], edges: [] } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error).toMatch(/unknown type "fixtures\.Ecko" \(node "x"\); did you mean "fixtures\.Echo"/);
      expect(unknown.body.details.issues[0].nodeId).toBe('x');
    });

    it('a body that is not a workflow', async () => {
      expect((await api(server, 'POST', '/api/workflows', [1, 2])).body.error).toMatch(/expected a JSON object, got an array/);
      expect((await api(server, 'POST', '/api/run', { params: {} })).body.error).toMatch(/needs a "workflow_id", a "graph"/);
      expect((await api(server, 'POST', '/api/run', { graph: echoGraph(1), params: [1] })).status).toBe(400);
    });

    it('unknown ids', async () => {
      expect((await api(server, 'GET', '/api/workflows/nope')).status).toBe(404);
      expect((await api(server, 'POST', '/api/workflows/nope/run', {})).status).toBe(404);
      expect((await api(server, 'GET', '/api/jobs/nope')).body).toEqual({ error: 'no job with id "nope"' });
      expect((await api(server, 'POST', '/api/jobs/nope/cancel')).status).toBe(404);
    });

    it('an oversize body with a declared length, refused before it is read', async () => {
      const { status, body } = await api(server, 'POST', '/api/workflows', { id: 'huge', graph: echoGraph('x'.repeat(2 * 1024 * 1024)) });
      expect(status).toBe(413);
      expect(body.error).toMatch(/^request body of \d+ bytes exceeds the 1048576-byte limit/);
      expect((await api(server, 'GET', '/api/workflows/huge')).status).toBe(404);
    });

    it('an oversize body streamed without a length (chunked), cut off once the limit is passed', async () => {
      const url = new URL(server.url);
      const answer = await new Promise<{ status: number; body: { error: string } }>((resolve, reject) => {
        const request = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path: '/api/workflows',
            headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
          },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
          },
        );
        request.on('error', (error) =>
          (error as NodeJS.ErrnoException).code === 'EPIPE' || (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error),
        );
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let sent = 0;
        const pump = () => {
          while (sent < 4 * 1024 * 1024) {
            sent += chunk.length;
            if (!request.write(chunk)) return void request.once('drain', pump);
          }
          request.end();
        };
        request.write('{"id": "streamed", "graph": "');
        pump();
      });
      expect(answer.status).toBe(413);
      expect(answer.body.error).toBe('request body exceeds the 1048576-byte limit');
      expect((await api(server, 'GET', '/api/workflows/streamed')).status).toBe(404);
    });

    it('a job id that is taken, and a method that does not exist', async () => {
      const first = await api(server, 'POST', '/api/run', { graph: echoGraph(1), job_id: 'fixed-id', wait: true });
      expect(first.status).toBe(200);
      expect((await api(server, 'POST', '/api/run', { graph: echoGraph(1), job_id: 'fixed-id' })).status).toBe(409);
      expect((await api(server, 'PUT', '/api/workflows')).status).toBe(405);
    });
  });
});

describe('persistence across a server restart', () => {
  it('keeps workflows and finished runs', async () => {
    const first = await startTestServer();
    await waitForWorker(first);
    await api(first, 'POST', '/api/workflows', { id: 'keep', name: 'Keep me', graph: echoGraph('persisted') });
    const run = await api(first, 'POST', '/api/workflows/keep/run', { wait: true });
    await first.close();

    const second = await startTestServer({ data: first });
    try {
      expect((await api(second, 'GET', '/api/workflows/keep')).body).toMatchObject({ id: 'keep', name: 'Keep me' });
      expect((await api(second, 'GET', `/api/jobs/${run.body.id}`)).body).toMatchObject({ status: 'completed', result: { outputs: { out: 'persisted' } } });
    } finally {
      await second.close();
    }
  }, 60_000);
});

describe('a worker that is killed and restarted while the server runs', () => {
  let worker: RealWorker;
  let server: RunningServer;
  beforeAll(async () => {
    worker = await spawnRealWorker({ token: 'srv-token-0123456789' });
    server = await startTestServer({
      bridgeOptions: { wsUrl: worker.url, workerToken: 'srv-token-0123456789', reconnect: { initialDelayMs: 200, maxDelayMs: 500 } },
    });
    await waitForWorker(server);
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await worker.kill();
  });

  it('fails the run in flight with a clear error, stays up, and runs again once the worker is back', async () => {
    const inFlight = api(server, 'POST', '/api/run', { graph: { nodes: [node('nap', 'fixtures.Sleep', { seconds: 30 })], edges: [] }, wait: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const port = worker.port;
    await worker.kill();
    const failed = await inFlight;
    expect(failed.body.status).toBe('failed');
    expect(failed.body.error).toMatch(/node "nap" \(fixtures\.Sleep\) failed: the worker ws:\/\/127\.0\.0\.1:\d+ was lost while this node ran/);
    expect(failed.body.error).toMatch(/during execute of fixtures\.Sleep.*it was not run again elsewhere/);

    const health = (await api(server, 'GET', '/health')).body;
    expect(health.worker.state).toMatch(/reconnecting|unreachable/);
    const refused = await api(server, 'POST', '/api/run', { graph: echoGraph(1), wait: true });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatch(/needs a Python worker, and the worker is (reconnecting|unreachable)/);

    worker = await spawnRealWorker({ token: 'srv-token-0123456789', port });
    await waitForWorker(server);
    const again = await api(server, 'POST', '/api/run', { graph: echoGraph('back'), wait: true });
    expect(again.body).toMatchObject({ status: 'completed', result: { outputs: { out: 'back' } } });
  }, 90_000);
});

describe('a server whose token the worker rejects', () => {
  it('keeps running and says the token was rejected in /health, without the token', async () => {
    const worker = await spawnRealWorker({ token: 'right-token-0123456789' });
    const server = await startTestServer({ bridgeOptions: { wsUrl: worker.url, workerToken: 'wrong-token-0123456789' } });
    try {
      await waitForWorker(server, 'token_rejected', 10_000);
      const { body } = await api(server, 'GET', '/health');
      expect(body.worker).toMatchObject({ state: 'token_rejected', transport: 'websocket' });
      expect(body.worker.error).toMatch(/rejected the token \(HTTP 401\)/);
      expect(JSON.stringify(body)).not.toContain('wrong-token-x');
      expect(body.worker.attempt).toBeGreaterThanOrEqual(2);
    } finally {
      await server.close();
      await worker.kill();
    }
  }, 60_000);
});
