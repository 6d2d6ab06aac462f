import { describe, expect, it } from 'vitest';
import { startTestServer, waitForWorker } from './testing/testServer.js';

// Liveness (/health) and readiness (/ready) answer different questions: a server without a worker is
// alive (restarting it fixes nothing) but not ready (a load balancer should send its traffic elsewhere).
describe('readiness and liveness', () => {
  it('is alive but not ready while no worker is connected, and ready once one is', async () => {
    const server = await startTestServer({ env: { NODETOOL_WORKER_URL: 'ws://127.0.0.1:9' } });
    try {
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      const notReady = await fetch(`${server.url}/ready`);
      expect(notReady.status).toBe(503);
      expect(((await notReady.json()) as { error: string }).error).toBe(
        'not ready: no worker is connected yet, and none comes on demand (a profile with scale, NODETOOL_WORKERS_AUTOSCALED=1; NODETOOL_REQUIRE_WORKER=0 makes the server ready without one)',
      );
    } finally {
      await server.close();
    }
    const connected = await startTestServer();
    try {
      await waitForWorker(connected);
      expect(await (await fetch(`${connected.url}/ready`)).json()).toEqual({ status: 'ready' });
    } finally {
      await connected.close();
    }
  }, 60_000);

  it('is ready without a worker under NODETOOL_REQUIRE_WORKER=0, and not ready once shutting down', async () => {
    const server = await startTestServer({ env: { NODETOOL_WORKER_URL: 'ws://127.0.0.1:9', NODETOOL_REQUIRE_WORKER: '0' } });
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    expect(await server.app.notReady()).toBeNull();
    const closing = server.close();
    expect(await server.app.notReady()).toBe('the server is shutting down');
    await closing;
  }, 60_000);
});
