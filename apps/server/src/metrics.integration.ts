import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer } from '@nt/test-fixtures';
import type { RunningServer } from './server.js';
import { api, edge, node, startTestServer, waitForWorker } from './testing/testServer.js';

// /metrics as an operator's Prometheus sees it: a real Prometheus scrapes the server (with the server
// token, from a credentials file) every second while runs happen, and the suite asks Prometheus.
const TOKEN = 'metrics-suite-server-token-5be1';
const bearer = { authorization: `Bearer ${TOKEN}` };

const echo = (value: string) => ({
  nodes: [node('echo', 'fixtures.Echo', { value }), node('show', 'nodetool.workflows.base_node.Preview', { name: 'out' })],
  edges: [edge('echo', 'show')],
});
const failing = { nodes: [node('boom', 'fixtures.Fail', { message: 'meant to fail' })], edges: [] };

describe('Prometheus metrics', () => {
  let server: RunningServer;
  let prometheus: PrometheusServer;
  let worker: string;

  beforeAll(async () => {
    server = await startTestServer({ env: { NODETOOL_SERVER_TOKEN: TOKEN } });
    await waitForWorker(server);
    worker = server.app.workers.members()[0]?.id as string;
    prometheus = await startPrometheus({ target: new URL(server.url).host, bearerToken: TOKEN });
  }, 90_000);
  afterAll(async () => {
    await prometheus?.stop();
    await server?.close();
  });

  it('keeps /metrics behind the server token', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const scraped = await fetch(`${server.url}/metrics`, { headers: bearer });
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await scraped.text()).toMatch(/^nodetool_runs_started_total \d+$/m);
  });

  it('counts runs, node executions and worker traffic as Prometheus stores them, with no job id in any label', async () => {
    const up = await prometheus.waitFor('up{job="nodetool"}', (result) => result[0]?.value === 1);
    expect(up).toHaveLength(1);
    const connected = await prometheus.query(`nodetool_worker_state{state="connected"}`);
    expect(connected).toEqual([expect.objectContaining({ labels: expect.objectContaining({ worker }), value: 1 })]);
    const sentBefore = (await prometheus.query('nodetool_worker_sent_bytes_total'))[0]?.value ?? 0;

    for (const value of ['a', 'b', 'c'])
      expect((await api(server, 'POST', '/api/run', { graph: echo(value), wait: true }, bearer)).body.status).toBe('completed');
    expect((await api(server, 'POST', '/api/run', { graph: failing, wait: true }, bearer)).body.status).toBe('failed');

    await prometheus.waitFor('nodetool_runs_finished_total{status="completed"}', (result) => result[0]?.value === 3);
    await prometheus.waitFor('nodetool_runs_finished_total{status="failed"}', (result) => result[0]?.value === 1);
    expect((await prometheus.query('nodetool_runs_started_total'))[0]?.value).toBe(4);
    const echoes = await prometheus.query('nodetool_node_executions_total{node_type="fixtures.Echo"}');
    expect(echoes).toEqual([{ labels: expect.objectContaining({ worker, status: 'completed' }), value: 3 }]);
    const fails = await prometheus.query('nodetool_node_executions_total{node_type="fixtures.Fail"}');
    expect(fails).toEqual([{ labels: expect.objectContaining({ worker, status: 'failed' }), value: 1 }]);
    // Four runs' durations, each within the buckets.
    expect((await prometheus.query('nodetool_run_duration_seconds_count'))?.reduce((sum, series) => sum + series.value, 0)).toBe(4);
    expect((await prometheus.query('nodetool_run_queue_wait_seconds_count'))[0]?.value).toBe(4);
    expect((await prometheus.query('nodetool_worker_sent_bytes_total'))[0]?.value).toBeGreaterThan(sentBefore);
    expect((await prometheus.query('nodetool_worker_received_bytes_total'))[0]?.value).toBeGreaterThan(0);
    expect((await prometheus.query('nodetool_runs_running'))[0]?.value).toBe(0);

    // Labels stay bounded: nothing Prometheus holds names a run.
    const series = (await (await fetch(`${prometheus.url}/api/v1/series?match[]=${encodeURIComponent('{__name__=~"nodetool_.+"}')}`)).json()) as {
      data: Array<Record<string, string>>;
    };
    expect(series.data.length).toBeGreaterThan(10);
    expect(JSON.stringify(series.data)).not.toMatch(/job-[0-9a-f]{8}/);
  }, 90_000);

  it('shows queued runs waiting and how long they waited', async () => {
    // One run at a time on this worker: the second and third wait behind a 3 s sleep, long enough for
    // all three to be taken in on a loaded machine before the first ends.
    const slow = { nodes: [node('nap', 'fixtures.Sleep', { seconds: 3, steps: 1 })], edges: [] };
    const queued = await startTestServer({ env: { NODETOOL_SERVER_TOKEN: TOKEN, NODETOOL_MAX_CONCURRENT_RUNS: '1' } });
    try {
      await waitForWorker(queued);
      const runs = [1, 2, 3].map(() => api(queued, 'POST', '/api/run', { graph: slow, wait: true }, bearer));
      // As soon as the server has taken in all three: one running, two queued, and so the gauges say.
      const gauge = (scrape: string, name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(scrape)?.[1]);
      // The queue by what its runs need: fixtures.Sleep's namespace, no group, no GPU memory said.
      const queuedRuns = (scrape: string) =>
        Number(/^nodetool_runs_queued\{node_namespace="fixtures",group="none",vram="any"\} (\d+)$/m.exec(scrape)?.[1] ?? 0);
      let scrape = '';
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
        scrape = await (await fetch(`${queued.url}/metrics`, { headers: bearer })).text();
        if (gauge(scrape, 'nodetool_runs_running') + queuedRuns(scrape) === 3) break;
      }
      expect({ running: gauge(scrape, 'nodetool_runs_running'), queued: queuedRuns(scrape) }).toEqual({ running: 1, queued: 2 });
      await Promise.all(runs);
      const after = await (await fetch(`${queued.url}/metrics`, { headers: bearer })).text();
      // Two of the three waited at least one sleep: their waits land above the 1 s bucket.
      const waitedOverOne =
        Number(/^nodetool_run_queue_wait_seconds_count (\d+)$/m.exec(after)?.[1]) -
        Number(/^nodetool_run_queue_wait_seconds_bucket\{le="1"\} (\d+)$/m.exec(after)?.[1]);
      expect(waitedOverOne).toBe(2);
    } finally {
      await queued.close();
    }
  }, 90_000);
});
