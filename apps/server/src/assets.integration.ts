import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './server.js';
import { api, edge, node, startTestServer, waitForWorker, wsClient, type TestServerData } from './testing/testServer.js';

// Binary results as assets, against the real worker: what a run, the job record, the WebSocket and
// GET /api/assets/:id show a client; uploads as inputs; the limits.
const TOKEN = 'asset-suite-server-token-9f31';
const bearer = { authorization: `Bearer ${TOKEN}` };
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

const preview = (name: string) => node(`show_${name}`, 'nodetool.workflows.base_node.Preview', { name });
const graphOf = (producer: ReturnType<typeof node>, name = 'out') => ({ nodes: [producer, preview(name)], edges: [edge(producer.id, `show_${name}`)] });

async function fetchAsset(server: RunningServer, url: string, headers: Record<string, string> = {}) {
  const response = await fetch(server.url + url, { headers: { ...bearer, ...headers } });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('binary results are assets', () => {
  let server: RunningServer & TestServerData;
  beforeAll(async () => {
    server = await startTestServer({ env: { NODETOOL_SERVER_TOKEN: TOKEN, NODETOOL_MAX_UPLOAD_BYTES: String(4 * 1024 * 1024) } });
    await waitForWorker(server);
  }, 60_000);
  afterAll(() => server.close());

  it('keeps an image result as an asset the job record and the WebSocket refer to, never its bytes', async () => {
    const watcher = await wsClient(server, bearer);
    watcher.send({ command: 'run_job', data: { graph: graphOf(node('img', 'fixtures.MakeImage', { size: 64 }), 'picture'), job_id: 'image-run' } });
    const update = await watcher.waitFor((m) => m.type === 'output_update' && m.job_id === 'image-run');
    await watcher.waitFor((m) => m.type === 'job_update' && m.job_id === 'image-run' && m.status === 'completed');
    watcher.close();
    expect(update.value).toMatchObject({ type: 'asset', content_type: 'image/png', url: `/api/assets/${update.value.id}` });

    const job = await api(server, 'GET', '/api/jobs/image-run', undefined, bearer);
    expect(job.body.result.outputs.picture).toEqual(update.value);
    expect(job.body.result.nodes.img.outputs.output).toEqual(update.value);
    expect(JSON.stringify(job.body)).not.toMatch(/base64|iVBORw0/);

    const asset = await fetchAsset(server, update.value.url);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('image/png');
    expect(Number(asset.headers.get('content-length'))).toBe(update.value.size);
    expect([...asset.bytes.subarray(0, 4)]).toEqual(PNG_SIGNATURE);
    expect(createHash('sha256').update(asset.bytes).digest('hex')).toBe(update.value.id);
    // On disk under its hash, next to the database; nothing half-written left behind.
    const assetsDir = join(server.dataDir, 'assets');
    expect(existsSync(join(assetsDir, update.value.id.slice(0, 2), update.value.id))).toBe(true);
    expect(readdirSync(join(assetsDir, '.tmp'))).toEqual([]);
  }, 60_000);

  it('serves a range of an audio asset as 206, a strong ETag as 304, and a range outside it as 416', async () => {
    const run = await api(server, 'POST', '/api/run', { graph: graphOf(node('wav', 'fixtures.MakeAudio', { size: 300_044 }), 'sound'), wait: true }, bearer);
    const ref = run.body.result.outputs.sound;
    expect(ref).toMatchObject({ type: 'asset', content_type: 'audio/wav', size: 300_044 });
    const whole = await fetchAsset(server, ref.url);
    const part = await fetchAsset(server, ref.url, { range: 'bytes=100-1099' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-1099/300044');
    expect(part.bytes.equals(whole.bytes.subarray(100, 1100))).toBe(true);
    const tail = await fetchAsset(server, ref.url, { range: 'bytes=-44' });
    expect(tail.bytes.equals(whole.bytes.subarray(-44))).toBe(true);
    expect((await fetchAsset(server, ref.url, { 'if-none-match': whole.headers.get('etag') as string })).status).toBe(304);
    const outside = await fetchAsset(server, ref.url, { range: 'bytes=400000-400100' });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe('bytes */300044');
    const download = await fetchAsset(server, `${ref.url}?download=1`);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="[0-9a-f]{12}\.(wav|x-wav)"$/);
  }, 60_000);

  it('takes an upload as a streamed raw body and runs it as an input, as the same asset', async () => {
    const png = await fetchAsset(
      server,
      (await api(server, 'POST', '/api/run', { graph: graphOf(node('img', 'fixtures.MakeImage', { size: 16 })), wait: true }, bearer)).body.result.outputs.out
        .url,
    );
    const uploaded = await fetch(`${server.url}/api/assets?name=square.png`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/octet-stream' },
      body: png.bytes,
    });
    expect(uploaded.status).toBe(201);
    const ref = (await uploaded.json()) as { id: string; content_type: string };
    expect(ref).toMatchObject({ type: 'asset', content_type: 'image/png', size: png.bytes.length });

    const echoed = await api(server, 'POST', '/api/run', { graph: graphOf(node('echo', 'fixtures.BytesEcho', { data: ref })), wait: true }, bearer);
    expect(echoed.body.status, echoed.body.error).toBe('completed');
    expect(echoed.body.result.outputs.out).toMatchObject({ type: 'asset', id: ref.id });
  }, 60_000);

  it('refuses an upload over NODETOOL_MAX_UPLOAD_BYTES (413), or sent as a form could send it (415), and keeps nothing of it', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 7);
    const refused = await fetch(`${server.url}/api/assets`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/octet-stream' }, body: big });
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: string }).error).toMatch(/over the 4194304-byte limit \(NODETOOL_MAX_UPLOAD_BYTES\)/);
    const form = await fetch(`${server.url}/api/assets`, { method: 'POST', headers: { ...bearer, 'content-type': 'text/plain' }, body: 'x' });
    expect(form.status).toBe(415);
    expect(readdirSync(join(server.dataDir, 'assets', '.tmp'))).toEqual([]);
    expect((await fetchAsset(server, `/api/assets/${createHash('sha256').update(big).digest('hex')}`)).status).toBe(404);
  }, 60_000);

  it('serves assets only with the token, like every route', async () => {
    const run = await api(server, 'POST', '/api/run', { graph: graphOf(node('img', 'fixtures.MakeImage', { size: 4 })), wait: true }, bearer);
    expect((await fetch(server.url + run.body.result.outputs.out.url)).status).toBe(401);
    expect((await fetch(`${server.url}/api/assets`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: 'x' })).status).toBe(401);
  }, 60_000);
});

describe('asset limits', () => {
  const MiB = 1024 * 1024;
  let server: RunningServer & TestServerData;
  beforeAll(async () => {
    server = await startTestServer({ env: { NODETOOL_MAX_ASSET_BYTES: String(MiB), NODETOOL_MAX_RUN_ASSET_BYTES: String(3 * MiB) } });
    await waitForWorker(server);
  }, 60_000);
  afterAll(() => server.close());

  /** Every file under the asset folder, finished or temporary. */
  const filesKept = () => {
    const dir = join(server.dataDir, 'assets');
    return existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()) : [];
  };

  it('fails a run whose result is over NODETOOL_MAX_ASSET_BYTES, naming the node and the setting, and keeps none of it', async () => {
    const run = await api(server, 'POST', '/api/run', { graph: graphOf(node('wav', 'fixtures.MakeAudio', { size: 2 * MiB })), wait: true });
    expect(run.body.status).toBe('failed');
    expect(run.body.error).toMatch(/the result "output" of node wav is 2.0 MiB, above the 1.0 MiB an asset may be \(NODETOOL_MAX_ASSET_BYTES\)/);
    await expect.poll(filesKept).toEqual([]);
  });

  it('fails a run whose results together pass NODETOOL_MAX_RUN_ASSET_BYTES, though each is within its own limit', async () => {
    const makers = ['a', 'b', 'c', 'd'].map((id) => node(id, 'fixtures.MakeAudio', { size: 900 * 1024 + id.charCodeAt(0) }));
    const graph = { nodes: [...makers, ...makers.map((maker) => preview(maker.id))], edges: makers.map((maker) => edge(maker.id, `show_${maker.id}`)) };
    const run = await api(server, 'POST', '/api/run', { graph, wait: true });
    expect(run.body.status).toBe('failed');
    expect(run.body.error).toMatch(/the results of this run reach .*, above the 3.0 MiB a run may make \(NODETOOL_MAX_RUN_ASSET_BYTES\)/);
  });
});
