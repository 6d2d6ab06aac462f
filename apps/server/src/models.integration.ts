import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebsocketPythonBridge } from '@nt/bridge';
import { spawnRealWorker, startFixtureHub, type FixtureHub, type RealWorker } from '@nt/test-fixtures';
import type { RunningServer } from './server.js';
import { api, edge, node, startTestServer, waitForWorker, wsClient } from './testing/testServer.js';

// The model API and the keep-alive through the server, on the real worker with an empty cache of its
// own, its downloads served by the fixture hub. fixtures.LoadModel stands in for an HF node.
const TOKEN = 'models-suite-worker-token';
const SERVER_TOKEN = 'models-suite-server-token-0123456789';
const auth = { authorization: `Bearer ${SERVER_TOKEN}` };
const TINY = 'fixture-org/tiny-model';
const OTHER = 'fixture-org/other-model';
const GATED = 'fixture-org/gated-model';
const HF_TOKEN = 'hf_fixture_gated_access_token';
const bytes = (size: number) => new Uint8Array(size).fill(7);

const loaderGraph = (repoId = TINY) => ({
  nodes: [
    node('load', 'fixtures.LoadModel', { model: { type: 'hf.fixture', repo_id: repoId }, load_seconds: 0.05 }),
    node('out', 'nodetool.workflows.base_node.Preview', { name: 'out' }),
  ],
  edges: [edge('load', 'out')],
});

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the worker models through the server', () => {
  let hub: FixtureHub;
  let worker: RealWorker;
  let server: RunningServer;

  beforeAll(async () => {
    hub = await startFixtureHub(
      [
        { repoId: TINY, files: { 'config.json': new TextEncoder().encode('{"model_type": "fixture"}'), 'weights.bin': bytes(200_000) } },
        { repoId: OTHER, files: { 'config.json': new TextEncoder().encode('{}'), 'weights.bin': bytes(2_000_000), 'extra/unused.onnx': bytes(1_000) } },
        { repoId: GATED, files: { 'config.json': new TextEncoder().encode('{}') }, token: HF_TOKEN },
      ],
      { bytesPerSecond: 4_000_000 },
    );
    worker = await spawnRealWorker({ token: TOKEN, env: { HF_HOME: mkdtempSync(join(tmpdir(), 'nt-models-hf-')), HF_ENDPOINT: hub.url, HF_HUB_OFFLINE: '0' } });
    server = await startTestServer({
      bridgeOptions: { wsUrl: worker.url, workerToken: TOKEN },
      env: { NODETOOL_SERVER_TOKEN: SERVER_TOKEN, NODETOOL_MODEL_KEEP_ALIVE: '10m', HF_TOKEN },
    });
    await waitForWorker(server);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await worker?.kill();
    await hub?.close();
  });

  const run = async (body: Record<string, unknown>) => {
    const reply = await api(server, 'POST', '/api/run?wait=true', body, auth);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return reply.body;
  };

  it('needs the server token', async () => {
    expect((await api(server, 'GET', '/api/models')).status).toBe(401);
    expect((await api(server, 'POST', '/api/models/evict', { all: true })).status).toBe(401);
  });

  it('reports an empty cache, nothing loaded and the default keep-alive', async () => {
    const { status, body } = await api(server, 'GET', '/api/models', undefined, auth);
    expect(status).toBe(200);
    expect(body).toEqual({ cached: [], resident: [], downloads: [], keep_alive: '10m' });
  });

  it('refuses a run whose model is missing when told not to download, saying how to fetch it', async () => {
    const job = await run({ graph: loaderGraph(), download_missing: false });
    expect(job.status).toBe('failed');
    expect(job.error).toContain(`nodetool models download ${TINY}`);
    expect(job.result.nodes.load.status).toBe('pending');
  });

  it('downloads a missing model before the run, with progress on the run, then keeps it loaded for the keep-alive', async () => {
    const client = await wsClient(server, auth);
    client.send({ command: 'run_job', data: { graph: loaderGraph(), job_id: 'first-run', keep_alive: '3s' } });
    const done = await client.waitFor((m) => m.type === 'job_update' && m.job_id === 'first-run' && m.status !== 'running');
    expect(done.status, done.error).toBe('completed');
    expect(done.outputs.out.loaded_now).toBe(true);
    const downloads = client.messages.filter((m) => m.type === 'model_download' && m.job_id === 'first-run');
    expect(downloads[0]).toMatchObject({ repo_id: TINY, status: 'start', total_files: 2 });
    expect(downloads.at(-1)).toMatchObject({ status: 'completed', downloaded_bytes: downloads[0].total_bytes });
    // Every client hears of downloads and of what is loaded.
    await client.waitFor((m) => m.type === 'models_resident' && m.resident.length === 1);

    const resident = (await api(server, 'GET', '/api/models/resident', undefined, auth)).body.resident;
    expect(resident).toMatchObject([{ models: [TINY], keep_alive: '3s', in_use: 0 }]);
    expect(resident[0].remaining_ms).toBeGreaterThan(0);
    expect(resident[0].remaining_ms).toBeLessThanOrEqual(3000);
    expect((await api(server, 'GET', '/health', undefined, auth)).body.resident_models).toHaveLength(1);

    const second = await run({ graph: loaderGraph(), keep_alive: '3s' });
    expect(second.result.outputs.out.loaded_now).toBe(false);

    await until(async () => (await api(server, 'GET', '/api/models/resident', undefined, auth)).body.resident.length === 0, 'the release');
    await client.waitFor((m) => m.type === 'models_resident' && m.resident.length === 0);
    expect((await run({ graph: loaderGraph(), keep_alive: 0 })).result.outputs.out.loaded_now).toBe(true);
    client.close();
  });

  it('refuses a keep_alive it cannot read, naming the field', async () => {
    const reply = await api(server, 'POST', '/api/run', { graph: loaderGraph(), keep_alive: 'a while' }, auth);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toContain('"keep_alive": "a while" is not a keep-alive');
  });

  it('downloads a model on request, only the files asked for, with progress to every client', async () => {
    const client = await wsClient(server, auth);
    const started = await api(server, 'POST', '/api/models/download', { repo_id: OTHER, allow_patterns: ['*.json', '*.bin'] }, auth);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ repo_id: OTHER });
    // Asked again while it runs: the same download, not a second one.
    expect((await api(server, 'POST', '/api/models/download', { repo_id: OTHER }, auth)).status).toBe(202);
    await client.waitFor((m) => m.type === 'models_download' && m.repo_id === OTHER && m.status === 'completed');
    const progress = client.messages.filter((m) => m.type === 'models_download' && m.repo_id === OTHER && m.status === 'progress');
    expect(progress.length).toBeGreaterThan(1);
    expect(hub.requests.filter((line) => line.startsWith(`GET /${OTHER}/resolve`))).toHaveLength(2);
    const report = (await api(server, 'GET', '/api/models', undefined, auth)).body;
    expect(report.cached.map((model: { repo_id: string }) => model.repo_id)).toEqual([OTHER, TINY]);
    expect(report.cached.find((model: { repo_id: string }) => model.repo_id === OTHER).size_on_disk).toBeGreaterThanOrEqual(2_000_000);
    client.close();
  });

  it('refuses a download it cannot name: a bad repo id, patterns that are not strings', async () => {
    expect((await api(server, 'POST', '/api/models/download', { repo_id: '../../etc' }, auth)).status).toBe(400);
    expect((await api(server, 'POST', '/api/models/download', { repo_id: OTHER, allow_patterns: '*' }, auth)).status).toBe(400);
  });

  it("passes on the worker's words when a download fails (a repo the hub does not have)", async () => {
    const client = await wsClient(server, auth);
    await api(server, 'POST', '/api/models/download', { repo_id: 'fixture-org/no-such-repo' }, auth);
    const failed = await client.waitFor((m) => m.type === 'models_download' && m.repo_id === 'fixture-org/no-such-repo' && m.status === 'error');
    expect(failed.error).toMatch(/not found|404/i);
    client.close();
  });

  it("fetches a gated repo with the server's HF_TOKEN (sent over the confidential link, never shown)", async () => {
    const anonymous = await fetch(`${hub.url}/api/models/${GATED}`);
    expect(anonymous.status).toBe(401);
    const client = await wsClient(server, auth);
    await api(server, 'POST', '/api/models/download', { repo_id: GATED }, auth);
    await client.waitFor((m) => m.type === 'models_download' && m.repo_id === GATED && (m.status === 'completed' || m.status === 'error'));
    expect(client.messages.find((m) => m.type === 'models_download' && m.repo_id === GATED && m.status === 'error')).toBeUndefined();
    expect(JSON.stringify(client.messages)).not.toContain(HF_TOKEN);
    expect(JSON.stringify((await api(server, 'GET', '/api/models', undefined, auth)).body)).not.toContain(HF_TOKEN);
    client.close();
  });

  it('evicts one model by its keep-alive, or every loaded model', async () => {
    await run({ graph: loaderGraph(), keep_alive: '10m' });
    await run({ graph: loaderGraph(OTHER), keep_alive: -1 });
    const resident = (await api(server, 'GET', '/api/models/resident', undefined, auth)).body.resident;
    expect(resident.map((lease: { models: string[] }) => lease.models[0]).sort()).toEqual([OTHER, TINY]);
    expect(resident.find((lease: { models: string[] }) => lease.models[0] === OTHER).expires_at).toBeNull();

    const one = await api(server, 'POST', '/api/models/evict', { repo_id: TINY }, auth);
    expect(one.body).toEqual({ released_nodes: [`load@${TINY}`], leases: [`keep-alive/${TINY}`] });
    expect((await run({ graph: loaderGraph(), keep_alive: '10m' })).result.outputs.out.loaded_now).toBe(true);
    expect((await run({ graph: loaderGraph(OTHER), keep_alive: -1 })).result.outputs.out.loaded_now).toBe(false);

    const all = await api(server, 'POST', '/api/models/evict', { all: true }, auth);
    expect(all.status).toBe(200);
    expect(all.body.evicted).toHaveLength(2);
    expect((await api(server, 'GET', '/api/models/resident', undefined, auth)).body.resident).toEqual([]);
    expect((await run({ graph: loaderGraph(OTHER), keep_alive: 0 })).result.outputs.out.loaded_now).toBe(true);
  });

  it('deletes a model from the cache, releasing it first; a second delete is a 404', async () => {
    await run({ graph: loaderGraph(OTHER), keep_alive: '10m' });
    const deleted = await api(server, 'DELETE', `/api/models/${OTHER}`, undefined, auth);
    expect(deleted).toEqual({ status: 200, body: { repo_id: OTHER, deleted: true, workers: [worker.url] } });
    expect((await api(server, 'GET', '/api/models/resident', undefined, auth)).body.resident).toEqual([]);
    const report = (await api(server, 'GET', '/api/models', undefined, auth)).body;
    expect(report.cached.map((model: { repo_id: string }) => model.repo_id)).toEqual([GATED, TINY]);
    const again = await api(server, 'DELETE', `/api/models/${encodeURIComponent(OTHER)}`, undefined, auth);
    expect(again.status).toBe(404);
    expect(again.body.error).toContain("is not in the worker's cache");
  });

  it('releases what it keeps loaded when it shuts down', async () => {
    await run({ graph: loaderGraph(), keep_alive: '10m' });
    await server.close();
    const probe = new WebsocketPythonBridge({ wsUrl: worker.url, workerToken: TOKEN });
    await probe.connect();
    // The lease is gone on the worker: ending it again finds no such job.
    expect(await probe.endJob({ jobId: `keep-alive/${TINY}` })).toMatchObject({ known: false });
    await probe.close();
  });
});
