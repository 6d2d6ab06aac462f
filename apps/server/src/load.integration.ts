import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, echoGraph, startTestServer, waitForWorker } from './testing/testServer.js';
import type { RunningServer } from './server.js';

describe('load', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
    await waitForWorker(server);
  }, 60_000);
  afterAll(() => server.close());

  it('completes 50 concurrent runs through the HTTP API with correct outputs and nothing lost', async () => {
    const runs = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api(server, 'POST', '/api/run', { graph: echoGraph({ run: i, text: `value ${i}` }), job_id: `load-${i}`, wait: true }),
      ),
    );
    expect(runs.map((run) => run.status)).toEqual(Array(50).fill(200));
    runs.forEach((run, i) =>
      expect(run.body).toMatchObject({ id: `load-${i}`, status: 'completed', result: { outputs: { out: { run: i, text: `value ${i}` } } } }),
    );
    const stored = (await api(server, 'GET', '/api/jobs?limit=500')).body.jobs.filter((job: { id: string }) => job.id.startsWith('load-'));
    expect(stored).toHaveLength(50);
    expect(new Set(stored.map((job: { status: string }) => job.status))).toEqual(new Set(['completed']));
  }, 120_000);
});
