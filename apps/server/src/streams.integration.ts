import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './server.js';
import { api, node, startTestServer, waitForWorker, wsClient } from './testing/testServer.js';

// Streaming nodes through the server, on the real worker's fixture nodes: items reach a WebSocket
// client as they come, every event is numbered, a client that drops resumes with reconnect_job, a
// stream is cancelled and timed out by its silence, and a slow consumer neither holds the worker's
// link nor grows memory.
const link = (source: string, sourceHandle: string, target: string, targetHandle = 'value') => ({ source, sourceHandle, target, targetHandle });
const preview = (id: string, name = id) => node(id, 'nodetool.workflows.base_node.Preview', { name });
const countGraph = (count: number, delay: number) => ({
  nodes: [node('count', 'fixtures.Count', { count, delay }), preview('p', 'numbers')],
  edges: [link('count', 'index', 'p')],
});
const done = (jobId: string) => (m: { type: string; job_id?: string; status?: string }) =>
  m.type === 'job_update' && m.job_id === jobId && ['completed', 'failed', 'cancelled', 'interrupted'].includes(m.status ?? '');

describe('streams through the server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({
      env: {
        NODETOOL_PYTHON_STREAM_IDLE_TIMEOUT_MS: '1500',
        // Small, so a slow consumer's items go to disk and a long run's events outgrow the log.
        NODETOOL_STREAM_QUEUE_BYTES: '4096',
        NODETOOL_RUN_EVENT_BUFFER: '200',
      },
    });
    await waitForWorker(server);
  }, 60_000);
  afterAll(() => server.close());

  it('sends each item to the client as it comes, numbered, well before the run ends; the record holds them all', async () => {
    const client = await wsClient(server);
    client.send({ command: 'run_job', data: { graph: countGraph(5, 0.3), job_id: 'live-items' } });
    const first = await client.waitFor((m) => m.type === 'output_update' && m.job_id === 'live-items');
    const firstAt = Date.now();
    expect(first).toMatchObject({ value: 0, item: 0, node_name: 'numbers' });
    const end = await client.waitFor(done('live-items'), 30_000);
    // Four more items 0.3 s apart came after the first: it did not wait for the run.
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(900);
    expect(end).toMatchObject({ status: 'completed', outputs: { numbers: [0, 1, 2, 3, 4] } });
    const events = client.messages.filter((m) => m.job_id === 'live-items' && m.type !== 'job_started');
    expect(events.map((m) => m.seq)).toEqual(events.map((_, index) => index + 1));
    const job = await api(server, 'GET', '/api/jobs/live-items');
    expect(job.body.result.nodes.p.streamed).toEqual({ output: { items: 5, left_out: 0 } });
    client.close();
  }, 60_000);

  it('resumes a client that dropped mid-run: reconnect_job with its last seq brings every item exactly once, then the rest live', async () => {
    const first = await wsClient(server);
    first.send({ command: 'run_job', data: { graph: countGraph(10, 0.2), job_id: 'dropped' } });
    await first.waitFor((m) => m.type === 'output_update' && m.job_id === 'dropped' && m.item === 1);
    first.close();
    const seen = first.messages.filter((m) => m.job_id === 'dropped' && m.type !== 'job_started');
    const lastSeq = Math.max(...seen.map((m) => m.seq));
    // Items go on while nobody watches.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const second = await wsClient(server);
    second.send({ command: 'reconnect_job', data: { job_id: 'dropped', last_seq: lastSeq }, request_id: 'again' });
    expect(await second.waitFor((m) => m.type === 'job_resumed')).toMatchObject({ job_id: 'dropped', skipped: 0, request_id: 'again' });
    await second.waitFor(done('dropped'), 30_000);
    const resumed = second.messages.filter((m) => m.job_id === 'dropped' && m.type !== 'job_resumed');
    expect(resumed[0].seq).toBe(lastSeq + 1);
    const all = [...seen, ...resumed];
    expect(all.map((m) => m.seq)).toEqual(all.map((_, index) => index + 1));
    expect(all.filter((m) => m.type === 'output_update').map((m) => m.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    second.close();
  }, 60_000);

  it('answers a reconnect after the run ended with the events it holds, and says when some are gone, with the job to start from', async () => {
    const client = await wsClient(server);
    client.send({ command: 'run_job', data: { graph: countGraph(300, 0), job_id: 'long-gone' } });
    await client.waitFor(done('long-gone'), 30_000);
    client.close();
    const late = await wsClient(server);
    late.send({ command: 'reconnect_job', data: { job_id: 'long-gone', last_seq: 0 } });
    const resumed = await late.waitFor((m) => m.type === 'job_resumed');
    // 300 items and their node events, past the 200 events the server keeps per run.
    expect(resumed.skipped).toBeGreaterThan(100);
    expect(resumed.job).toMatchObject({ id: 'long-gone', status: 'completed' });
    await late.waitFor(done('long-gone'));
    const replayed = late.messages.filter((m) => m.job_id === 'long-gone' && m.type !== 'job_resumed');
    expect(replayed).toHaveLength(200);
    expect(replayed.at(-1).seq).toBe(resumed.last_seq);
    late.send({ command: 'reconnect_job', data: { job_id: 'never-was', last_seq: 0 }, request_id: 'ghost' });
    expect(await late.waitFor((m) => m.type === 'error' && m.request_id === 'ghost')).toMatchObject({ status: 404 });
    late.send({ command: 'reconnect_job', data: { job_id: 'long-gone', last_seq: -3 }, request_id: 'bad' });
    expect(await late.waitFor((m) => m.type === 'error' && m.request_id === 'bad')).toMatchObject({ status: 400, error: '"last_seq" must be 0 or more' });
    late.close();
  }, 60_000);

  it('cancels a streaming node mid-stream within 2 s of the request', async () => {
    const client = await wsClient(server);
    client.send({ command: 'run_job', data: { graph: countGraph(1_000, 0.5), job_id: 'cancel-stream' } });
    await client.waitFor((m) => m.type === 'output_update' && m.job_id === 'cancel-stream' && m.item === 1, 30_000);
    const asked = Date.now();
    client.send({ command: 'cancel_job', data: { job_id: 'cancel-stream' } });
    expect(await client.waitFor(done('cancel-stream'), 10_000)).toMatchObject({ status: 'cancelled' });
    expect(Date.now() - asked).toBeLessThan(2_000);
    client.close();
  }, 60_000);

  it('cuts a stream that falls silent after its items, saying how long it was silent', async () => {
    const client = await wsClient(server);
    const graph = { nodes: [node('stuck', 'fixtures.Silent', { items: 2, seconds: 60 }), preview('p')], edges: [link('stuck', 'index', 'p')] };
    client.send({ command: 'run_job', data: { graph, job_id: 'silent' } });
    const end = await client.waitFor(done('silent'), 30_000);
    expect(end.status).toBe('failed');
    expect(end.error).toContain('execute.stream of fixtures.Silent was silent for 1500 ms after its last frame (NODETOOL_PYTHON_STREAM_IDLE_TIMEOUT_MS)');
    // The items before the silence were kept.
    const job = await api(server, 'GET', '/api/jobs/silent');
    expect(job.body.result.nodes.p.outputs).toEqual({ output: [0, 1] });
    client.close();
  }, 60_000);

  it('lets a slow consumer fall behind on disk without holding the worker: another run on it finishes meanwhile', async () => {
    const client = await wsClient(server);
    // 600 items at once into a Python node that takes 20 ms over each: most wait on disk.
    const graph = {
      nodes: [node('count', 'fixtures.Count', { count: 600 }), node('slow', 'fixtures.Echo', { delay: 0.02 }), preview('p', 'echoed')],
      edges: [link('count', 'index', 'slow'), link('slow', 'output', 'p')],
    };
    client.send({ command: 'run_job', data: { graph, job_id: 'slow-consumer' } });
    await client.waitFor((m) => m.type === 'node_update' && m.job_id === 'slow-consumer' && m.node_id === 'count' && m.status === 'completed', 30_000);
    // The stream is done; its consumer is not. Another run on the same worker goes through meanwhile.
    const other = await api(server, 'POST', '/api/run?wait=true', {
      graph: { nodes: [node('say', 'fixtures.Echo', { value: 'not held up' }), preview('out')], edges: [link('say', 'output', 'out')] },
    });
    expect(other.body).toMatchObject({ status: 'completed', result: { outputs: { out: 'not held up' } } });
    expect(client.messages.some(done('slow-consumer'))).toBe(false);
    const end = await client.waitFor(done('slow-consumer'), 120_000);
    expect(end.status, end.error).toBe('completed');
    const job = await api(server, 'GET', '/api/jobs/slow-consumer');
    expect(job.body.result.nodes.slow.spilled_items).toBeGreaterThan(300);
    expect(job.body.result.outputs.echoed).toEqual(Array.from({ length: 600 }, (_, index) => index));
    client.close();
  }, 180_000);

  it('keeps each binary item of a stream as an asset of its own as it arrives; the record lists them', async () => {
    const client = await wsClient(server);
    const graph = { nodes: [node('frames', 'fixtures.Frames', { count: 3 }), preview('p', 'frames')], edges: [link('frames', 'image', 'p')] };
    client.send({ command: 'run_job', data: { graph, job_id: 'frames' } });
    const end = await client.waitFor(done('frames'), 30_000);
    expect(end.status, end.error).toBe('completed');
    const frames = end.outputs.frames as Array<{ type: string; id: string; content_type: string; url: string }>;
    expect(frames).toHaveLength(3);
    expect(new Set(frames.map((frame) => frame.id)).size).toBe(3);
    for (const frame of frames) {
      expect(frame).toMatchObject({ type: 'asset', content_type: 'image/png' });
      const served = await fetch(`${server.url}${frame.url}`);
      expect(served.status).toBe(200);
      expect(new Uint8Array(await served.arrayBuffer()).slice(1, 4)).toEqual(new TextEncoder().encode('PNG'));
    }
    // Each went out as an asset reference while the stream ran, never as bytes.
    const items = client.messages.filter((m) => m.type === 'output_update' && m.job_id === 'frames');
    expect(items.map((m) => m.value.id)).toEqual(frames.map((frame) => frame.id));
    client.close();
  }, 60_000);

  it('passes a node’s live previews to the client as node_preview events, and keeps none in the record', async () => {
    const client = await wsClient(server);
    client.send({ command: 'run_job', data: { graph: { nodes: [node('steps', 'fixtures.Steps', { steps: 2 })], edges: [] }, job_id: 'previews' } });
    await client.waitFor(done('previews'), 30_000);
    const previews = client.messages.filter((m) => m.type === 'node_preview' && m.job_id === 'previews');
    expect(previews.map((m) => m.value)).toEqual([
      'step 1 of 2',
      expect.stringMatching(/^data:image\/png;base64,/),
      'step 2 of 2',
      expect.stringMatching(/^data:image\/png;base64,/),
    ]);
    const job = await api(server, 'GET', '/api/jobs/previews');
    expect(JSON.stringify(job.body.result)).not.toContain('data:image');
    client.close();
  }, 60_000);
});
