import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunningServer } from './server.js';
import { api, echoGraph, edge, node, startTestServer, waitForWorker, wsClient } from './testing/testServer.js';

// Limits on what anyone who can reach the server can make it do. Each test names the attack.

function chain(length: number) {
  const nodes = Array.from({ length }, (_, i) => node(`n${i}`, 'nodetool.constant.String', { value: 'x' }));
  const edges = nodes.slice(1).map((next, i) => edge(`n${i}`, next.id));
  return { nodes, edges };
}

describe('graph, run and connection limits', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ maxBodyBytes: 64 * 1024 * 1024, env: { NODETOOL_MAX_CONCURRENT_RUNS: '2', NODETOOL_MAX_QUEUED_RUNS: '1' } });
    await waitForWorker(server);
  }, 60_000);
  afterAll(() => server.close());

  it('refuses a 100,000-node chain with 413 before validating it (stack and CPU exhaustion)', async () => {
    const started = performance.now();
    const response = await api(server, 'POST', '/api/run', { graph: chain(100_000) });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({
      error: 'the graph has 100000 nodes; at most 10000 are accepted',
      details: { limit: 'nodes', actual: 100_000, max: 10_000 },
    });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await api(server, 'POST', '/api/workflows', { id: 'huge-chain', graph: chain(100_000) })).status).toBe(413);
    expect((await api(server, 'GET', '/api/workflows/huge-chain')).status).toBe(404);
  });

  it('refuses a 50,000-edge fan-out and a 10 MB type string with 413, saving nothing', async () => {
    const fan = {
      nodes: [node('root', 'fixtures.Echo'), ...Array.from({ length: 9_000 }, (_, i) => node(`leaf${i}`, 'fixtures.Echo'))],
      edges: Array.from({ length: 50_001 }, (_, i) => edge('root', `leaf${i % 9_000}`)),
    };
    expect((await api(server, 'POST', '/api/run', { graph: fan })).body.error).toBe('the graph has 50001 edges; at most 50000 are accepted');
    const typed = await api(server, 'POST', '/api/run', { graph: { nodes: [node('a', 'x'.repeat(10 * 1024 * 1024))], edges: [] } });
    expect(typed.status).toBe(413);
    expect(typed.body.error).toBe('the type of nodes[0] is 10485760 characters long; at most 512 are accepted');
    expect((await api(server, 'GET', '/api/jobs')).body.jobs.filter((job: { status: string }) => job.status !== 'completed')).toEqual([]);
  });

  it('queues runs beyond NODETOOL_MAX_CONCURRENT_RUNS (FIFO, visible as queued) and refuses more than the queue holds with 429 (run flooding)', async () => {
    const nap = (jobId: string) => ({ graph: { nodes: [node('nap', 'fixtures.Sleep', { seconds: 0.6, steps: 2 })], edges: [] }, job_id: jobId });
    const first = await api(server, 'POST', '/api/run', nap('slot-1'));
    const second = await api(server, 'POST', '/api/run', nap('slot-2'));
    const third = await api(server, 'POST', '/api/run', nap('waits'));
    expect([first.body.status, second.body.status, third.body.status]).toEqual(['running', 'running', 'queued']);
    expect((await api(server, 'GET', '/api/jobs')).body.jobs.find((job: { id: string }) => job.id === 'waits').status).toBe('queued');
    const response = await fetch(`${server.url}/api/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(nap('one-too-many')),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(((await response.json()) as { error: string }).error).toMatch(/2 runs are in progress and 1 wait, the most this server takes/);
    expect((await api(server, 'GET', '/api/jobs/one-too-many')).status).toBe(404);
    const waited = await new Promise<{ status: string }>((resolve) => {
      const poll = async () => {
        const job = (await api(server, 'GET', '/api/jobs/waits')).body;
        if (job.status === 'completed' || job.status === 'failed') resolve(job);
        else setTimeout(() => void poll(), 50);
      };
      void poll();
    });
    expect(waited.status).toBe('completed');
  });

  it('cancels a queued run without ever starting it', async () => {
    const long = (jobId: string) => ({ graph: { nodes: [node('nap', 'fixtures.Sleep', { seconds: 5, steps: 50 })], edges: [] }, job_id: jobId });
    await api(server, 'POST', '/api/run', long('busy-1'));
    await api(server, 'POST', '/api/run', long('busy-2'));
    expect((await api(server, 'POST', '/api/run', long('never-started'))).body.status).toBe('queued');
    expect((await api(server, 'POST', '/api/jobs/never-started/cancel')).status).toBe(202);
    expect((await api(server, 'GET', '/api/jobs/never-started')).body).toMatchObject({ status: 'cancelled', error: 'cancelled while queued' });
    for (const id of ['busy-1', 'busy-2']) await api(server, 'POST', `/api/jobs/${id}/cancel`);
  });
});

describe('a WebSocket client that stops reading (slow consumer)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { NODETOOL_WS_MAX_BUFFERED_BYTES: '262144' } });
    await waitForWorker(server);
  }, 60_000);
  afterAll(() => server.close());

  it('is not a client that reads: results larger than the limit, several in one turn, all reach it', async () => {
    const reader = await wsClient(server);
    const big = 'y'.repeat(600 * 1024);
    for (let i = 0; i < 3; i++) reader.send({ command: 'run_job', data: { graph: echoGraph(big), job_id: `keeps-up-${i}` } });
    for (let i = 0; i < 3; i++) {
      const done = await reader.waitFor((m) => m.type === 'job_update' && m.job_id === `keeps-up-${i}` && m.status === 'completed', 30_000);
      expect(done.outputs.out).toHaveLength(big.length);
    }
    reader.close();
  }, 60_000);

  it('is dropped once its backlog passes the limit, before it can grow the server memory; the server carries on', async () => {
    const stalled = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
    await new Promise((resolve) => stalled.once('open', resolve));
    const closed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
    // It starts runs with large results (so their events are its to receive), then never reads them.
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'x'.repeat(512 * 1024);
    const jobIds = Array.from({ length: 24 }, (_, i) => `flood-${i}`);
    for (const jobId of jobIds) stalled.send(JSON.stringify({ command: 'run_job', data: { graph: echoGraph(big), job_id: jobId } }));
    for (const jobId of jobIds) {
      let job = await api(server, 'GET', `/api/jobs/${jobId}`);
      while (job.status === 404 || job.body.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 20));
        job = await api(server, 'GET', `/api/jobs/${jobId}`);
      }
      expect(job.body.status).toBe('completed');
    }
    (stalled as unknown as { _socket: { resume(): void } })._socket.resume();
    await closed;
    const fresh = await wsClient(server);
    expect(await fresh.waitFor((m) => m.type === 'worker_status')).toMatchObject({ state: 'connected' });
    fresh.close();
  }, 60_000);
});
