import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureStdioOptions, spawnRealWorker, startFakeWorker, type RealWorker } from '@nt/test-fixtures';
import type { RunningServer } from './server.js';
import { runServerUntilExit, startServerProcess, workerConnected } from '@nt/test-fixtures';
import { api, echoGraph, node, startTestServer, waitForWorker, wsClient } from './testing/testServer.js';

// What a bad worker, a failing disk or a killed process must not do: leak secrets, lose a run, take
// the server down, or leave a run hanging.

describe('settings a worker asks for', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({
      env: {
        HF_TOKEN: 'hf_allowed_value',
        NODETOOL_WORKER_TOKEN: 'worker-token-value-never-sent',
        NODETOOL_SERVER_TOKEN: 'server-token-value-never-sent-0',
        AWS_SECRET_ACCESS_KEY: 'aws-value-never-sent',
        RUNPOD_API_KEY: 'runpod-value-never-sent',
      },
    });
    await waitForWorker(server);
  }, 60_000);
  afterAll(() => server.close());

  it("sends only the allowlisted ones (a worker asking for the server's tokens and an AWS key gets HF_TOKEN), naming the rest in the run events", async () => {
    const auth = { authorization: 'Bearer server-token-value-never-sent-0' };
    const client = await wsClient(server, auth);
    client.send({
      command: 'run_job',
      data: {
        graph: {
          nodes: [node('greedy', 'fixtures.RequireSettings'), node('shown', 'nodetool.workflows.base_node.Preview', { name: 'arrived' })],
          edges: [{ source: 'greedy', sourceHandle: 'output', target: 'shown', targetHandle: 'value' }],
        },
        job_id: 'greedy-run',
      },
    });
    const done = await client.waitFor((m) => m.type === 'job_update' && m.job_id === 'greedy-run' && m.status !== 'running');
    expect(done).toMatchObject({ status: 'completed', outputs: { arrived: ['HF_TOKEN'] } });
    const withheld = client.messages.filter((m) => m.type === 'secret_withheld').map((m) => `${m.setting}: ${m.reason}`);
    expect(withheld.sort()).toEqual([
      'AWS_SECRET_ACCESS_KEY: it is a credential of this system and is never sent to a worker',
      'NODETOOL_SERVER_TOKEN: it is a credential of this system and is never sent to a worker',
      'NODETOOL_WORKER_TOKEN: it is a credential of this system and is never sent to a worker',
      'RUNPOD_API_KEY: it is a credential of this system and is never sent to a worker',
    ]);
    const everything = JSON.stringify(client.messages) + JSON.stringify((await api(server, 'GET', '/api/jobs/greedy-run', undefined, auth)).body);
    for (const value of ['worker-token-value-never-sent', 'aws-value-never-sent', 'runpod-value-never-sent', 'hf_allowed_value'])
      expect(everything).not.toContain(value);
    client.close();
  });
});

describe('failures inside the server', () => {
  let server: RunningServer & { dbPath: string };
  beforeAll(async () => {
    server = await startTestServer({ bridgeOptions: { ...fixtureStdioOptions(), frameStallTimeoutMs: 500 } });
    await waitForWorker(server);
  }, 60_000);
  afterAll(() => server.close());

  it('fails a run whose outcome SQLite cannot store (database locked), says why, and stays up', async () => {
    const client = await wsClient(server);
    const started = await api(server, 'POST', '/api/run', {
      graph: { nodes: [node('nap', 'fixtures.Sleep', { seconds: 1, steps: 1 })], edges: [] },
      job_id: 'locked-out',
    });
    expect(started.status).toBe(202);
    client.send({ command: 'subscribe', data: { job_id: 'locked-out' } });
    await client.waitFor((m) => m.type === 'subscribed');
    // Another process holds the write lock past the server's wait: a real SQLITE_BUSY on the outcome.
    const other = new Database(server.dbPath, { timeout: 0 });
    other.exec('BEGIN EXCLUSIVE');
    const done = await client.waitFor((m) => m.type === 'job_update' && m.job_id === 'locked-out' && m.status !== 'running', 60_000);
    expect((await api(server, 'GET', '/api/jobs/locked-out')).body).toMatchObject({ status: 'failed', error: done.error });
    other.exec('ROLLBACK');
    other.close();
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/the run ended \(completed\) but its outcome could not be saved: database is locked/);
    expect((await api(server, 'GET', '/health')).body.status).toBe('ok');
    expect((await api(server, 'POST', '/api/run', { graph: echoGraph('after the lock'), wait: true })).body).toMatchObject({ status: 'completed' });
    client.close();
  }, 60_000);

  it('fails the run of a stdio worker stuck in the middle of a frame, and is back with a new worker', async () => {
    const pidBefore = (server.app.workers.members()[0]?.supervisor.bridge as unknown as { pid: number }).pid;
    const run = await api(server, 'POST', '/api/run', {
      graph: { nodes: [node('stuck', 'fixtures.StallMidFrame', { declared: 4096, sent: 7 })], edges: [] },
      wait: true,
    });
    expect(run.body.status).toBe('failed');
    expect(run.body.error).toMatch(
      /node "stuck" \(fixtures\.StallMidFrame\) failed: The stdio worker stopped in the middle of a frame \(7 of its 4096 bytes arrived/,
    );
    const pidNow = () => (server.app.workers.members()[0]?.supervisor.bridge as unknown as { pid?: number } | null)?.pid;
    const deadline = Date.now() + 30_000;
    while ((pidNow() === undefined || pidNow() === pidBefore) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pidNow()).toBeGreaterThan(0);
    expect(pidNow()).not.toBe(pidBefore);
    expect((await api(server, 'POST', '/api/run', { graph: echoGraph('restarted'), wait: true })).body).toMatchObject({ status: 'completed' });
  }, 60_000);
});

describe('a server process that is killed or stopped during a run', () => {
  it('SIGKILL: the run shows as interrupted after the restart, with the reason, and the restarted server is ready again', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'nt-kill-')), 'server.db');
    const first = await startServerProcess({ NODETOOL_DB: db });
    await workerConnected(first.url);
    await fetch(`${first.url}/api/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ graph: { nodes: [node('nap', 'fixtures.Sleep', { seconds: 30, steps: 30 })], edges: [] }, job_id: 'killed-mid-run' }),
    });
    const running = await (await fetch(`${first.url}/api/jobs/killed-mid-run`)).json();
    expect(running).toMatchObject({ status: 'running' });
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await startServerProcess({ NODETOOL_DB: db });
    try {
      expect(await (await fetch(`${second.url}/api/jobs/killed-mid-run`)).json()).toMatchObject({
        status: 'interrupted',
        error: 'the server stopped during the run (it was killed or crashed); run it again',
      });
      expect(second.output()).toMatch(/marked 1 run\(s\) left over from a previous process as interrupted/);
      await workerConnected(second.url);
      expect(await (await fetch(`${second.url}/ready`)).json()).toEqual({ status: 'ready' });
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 90_000);

  it('SIGTERM: a run on a worker that froze mid-run is cancelled at once (nothing waits on the frozen worker), and the record says the server interrupted it', async () => {
    const token = 'sigterm-fake-worker-token';
    const fake = await startFakeWorker({ token });
    const db = join(mkdtempSync(join(tmpdir(), 'nt-term-')), 'server.db');
    const server = await startServerProcess({
      NODETOOL_DB: db,
      NODETOOL_SHUTDOWN_TIMEOUT_MS: '1500',
      NODETOOL_WORKER_URL: fake.url,
      NODETOOL_WORKER_TOKEN: token,
    });
    try {
      await workerConnected(server.url);
      await fetch(`${server.url}/api/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ graph: { nodes: [node('nap', 'fake.Sleep', { ms: 60_000, steps: 60 })], edges: [] }, job_id: 'stopped-mid-run' }),
      });
      while (!fake.received.some((frame) => frame.type === 'execute')) await new Promise((resolve) => setTimeout(resolve, 20));
      // A frozen worker answers nothing: not the cancel, not job.end. The server must not wait for either.
      fake.freeze();
      const signalled = performance.now();
      server.child.kill('SIGTERM');
      const result = await server.exited;
      expect(result.code).toBe(0);
      // Well inside the 1500 ms deadline: the run ended when it was cancelled, not when the deadline passed.
      expect(performance.now() - signalled).toBeLessThan(1500);
      expect(result.output, result.output).not.toMatch(/did not finish within/);
      const reopened = new Database(db, { readonly: true });
      const row = reopened.prepare('SELECT status, error FROM jobs WHERE id = ?').get('stopped-mid-run') as { status: string; error: string };
      reopened.close();
      expect(row).toEqual({ status: 'interrupted', error: 'the server shut down during the run; run it again' });
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
      await fake.stop();
    }
  }, 90_000);

  it('refuses to start with a bad setting in one line that names it, exit 2, no stack trace', async () => {
    const beyond = await runServerUntilExit({ HOST: '0.0.0.0' });
    expect(beyond.code).toBe(2);
    expect(beyond.output.trim().split('\n')).toEqual([
      expect.stringMatching(/^\[server\] cannot start: HOST=0\.0\.0\.0 makes the server reachable beyond this machine.*NODETOOL_SERVER_TOKEN/),
    ]);
    const url = await runServerUntilExit({ NODETOOL_WORKER_URL: 'foo://x' });
    expect(url.code).toBe(2);
    expect(url.output).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describe('rotating the worker token for real: new file on both ends, worker restarted, server not restarted', () => {
  let worker: RealWorker;
  let server: RunningServer;
  const file = join(mkdtempSync(join(tmpdir(), 'nt-rotate-')), 'worker-token');
  beforeAll(async () => {
    writeFileSync(file, 'first-rotation-token-1111\n');
    worker = await spawnRealWorker({ token: 'first-rotation-token-1111' });
    server = await startTestServer({ bridgeOptions: { wsUrl: worker.url, workerTokenFile: file, reconnect: { initialDelayMs: 100, maxDelayMs: 500 } } });
    await waitForWorker(server);
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await worker.kill();
  });

  it('runs before, reconnects with the new token, and runs after', async () => {
    expect((await api(server, 'POST', '/api/run', { graph: echoGraph('before'), wait: true })).body).toMatchObject({ status: 'completed' });
    const port = worker.port;
    writeFileSync(file, 'second-rotation-token-2222\n');
    await worker.kill();
    worker = await spawnRealWorker({ token: 'second-rotation-token-2222', port });
    await waitForWorker(server, 'connected', 30_000);
    expect((await api(server, 'POST', '/api/run', { graph: echoGraph('after'), wait: true })).body).toMatchObject({
      status: 'completed',
      result: { outputs: { out: 'after' } },
    });
    expect(JSON.stringify((await api(server, 'GET', '/health')).body)).not.toMatch(/rotation-token/);
  }, 60_000);
});
