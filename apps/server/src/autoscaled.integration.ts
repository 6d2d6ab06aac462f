import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, REPO_ROOT, spawnRealWorker, startPrometheus, type PrometheusServer, type RealWorker } from '@nt/test-fixtures';
import type { RunningServer } from './server.js';
import { api, node, startTestServer } from './testing/testServer.js';

// A cluster that scales its workers to zero: the server stays ready with none, a run waits for one
// instead of being refused, a real Prometheus scrapes the queue, and the query of our KEDA ScaledObject
// (deploy/kubernetes-autoscaling) asks it for one worker; the worker "the cluster starts" takes the run.
const TOKEN = 'autoscaled-suite-server-token-77a1';
const WORKER_TOKEN = 'autoscaled-suite-worker-token-0c3e';
const bearer = { authorization: `Bearer ${TOKEN}` };
const sleepGraph = { nodes: [node('nap', 'fixtures.Sleep', { seconds: 0.2, steps: 1 })], edges: [] };

/** The trigger's query as written in the manifest, for the fixture nodes' namespace instead of huggingface. */
function kedaQuery(): string {
  const manifest = parse(readFileSync(join(REPO_ROOT, 'deploy', 'kubernetes-autoscaling', 'keda-scaledobject.yaml'), 'utf8'));
  const query = manifest.spec.triggers[0].metadata.query as string;
  expect(query).toContain('node_namespace="huggingface"');
  return query.replace('node_namespace="huggingface"', 'node_namespace="fixtures"');
}

describe('workers scaled by the cluster (NODETOOL_WORKERS_AUTOSCALED)', () => {
  let server: RunningServer | undefined;
  let prometheus: PrometheusServer | undefined;
  let worker: RealWorker | undefined;
  afterEach(async () => {
    await prometheus?.stop();
    await server?.close();
    await worker?.kill();
  });

  it('is ready with no worker, queues a run for one, and the KEDA query asks for one until it takes the run', async () => {
    // The Deployment's Service: nothing listens there while the cluster has scaled it to zero.
    const port = await freePort();
    server = await startTestServer({
      bridgeOptions: {},
      env: {
        NODETOOL_SERVER_TOKEN: TOKEN,
        NODETOOL_WORKER_URL: `ws://127.0.0.1:${port}`,
        NODETOOL_WORKER_TOKEN: WORKER_TOKEN,
        NODETOOL_WORKERS_AUTOSCALED: '1',
      },
    });
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    const started = await api(server, 'POST', '/api/run', { graph: sleepGraph }, bearer);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const job = (await api(server, 'GET', `/api/jobs/${started.body.job_id}`, undefined, bearer)).body;
    expect(job).toMatchObject({ status: 'queued', waiting: { group: '@cluster', stage: 'waiting' } });
    expect(job.waiting.text).toMatch(/^waiting for a worker: the cluster scales its workers on the queue \(NODETOOL_WORKERS_AUTOSCALED\), \d+ s$/);

    prometheus = await startPrometheus({ target: new URL(server.url).host, bearerToken: TOKEN });
    const query = kedaQuery();
    // What KEDA would read: one run of the fixtures' namespace waits, so one replica (threshold 1).
    await prometheus.waitFor(query, (result) => result[0]?.value === 1, 30_000);

    // The cluster starts a worker; the pool finds it at the Service's address and the run goes.
    worker = await spawnRealWorker({ token: WORKER_TOKEN, port });
    const done = await waitForJob(server, started.body.job_id);
    expect(done.status, JSON.stringify(done)).toBe('completed');
    // Nothing waits or runs: the query falls to 0, and KEDA scales back to zero after its cooldown.
    await prometheus.waitFor(query, (result) => result[0]?.value === 0, 30_000);
  }, 120_000);
});

async function waitForJob(server: RunningServer, id: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = (await api(server, 'GET', `/api/jobs/${id}`, undefined, bearer)).body;
    if (job.status !== 'queued' && job.status !== 'running') return job;
    if (Date.now() > deadline) throw new Error(`the run is still ${job.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
