/**
 * nx run server:bench-stream — a streaming node (fixtures.Count on the real worker, over a direct
 * WebSocket) through the built server's /ws into a Preview, beside the bridge alone on the same worker:
 *   - time to the first item: execute.stream's first chunk (bridge) against the first output_update a
 *     WebSocket client gets after sending run_job (server), interleaved; medians of BENCH_REPEATS (20).
 *     Goal: within 5 ms.
 *   - items per second of a 10,000-item stream: to the last chunk (bridge), to the last output_update
 *     (server), interleaved; medians of BENCH_THROUGHPUT_REPEATS (9). Goal: at least 0.8× the bridge.
 *   - the server's peak RSS for one stream of each length of BENCH_RSS_ITEMS (10,000 and 100,000), each
 *     in a server process of its own (V8 keeps what it grew, so one process would carry one length's
 *     peak into the next): with nobody watching, and with a client receiving every item (which includes
 *     what waits for that client: at most NODETOOL_WS_MAX_BUFFERED_BYTES, then it is dropped). Goal: flat.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { WebsocketPythonBridge } from '@nt/bridge';
import { REPO_ROOT, spawnRealWorker, workerConnected } from '@nt/test-fixtures';

const TOKEN = 'stream-bench-token';
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 20);
const THROUGHPUT_REPEATS = Number(process.env['BENCH_THROUGHPUT_REPEATS'] ?? 9);
const RSS_ITEMS = (process.env['BENCH_RSS_ITEMS'] ?? '10000,100000').split(',').map(Number);
const ITEMS = 10_000;
// BENCH_SERVER_CPU_PROF=<dir> writes the server's V8 CPU profile there.
const profile = process.env['BENCH_SERVER_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_SERVER_CPU_PROF']}`] : [];

const worker = await spawnRealWorker({ token: TOKEN });
const servers: ChildProcess[] = [];
process.on('exit', () => {
  for (const server of servers) server.kill(profile.length ? 'SIGINT' : 'SIGKILL');
  worker.process.kill('SIGKILL');
});

interface BenchServer {
  url: string;
  pid: number;
  socket: WebSocket;
  stop(): void;
}

/** The built server on the worker, with a WebSocket client connected to it. */
async function startServer(): Promise<BenchServer> {
  const child = spawn(process.execPath, [...profile, join(REPO_ROOT, 'apps', 'server', 'dist', 'main.js')], {
    env: {
      ...process.env,
      PORT: '0',
      NODETOOL_DB: join(mkdtempSync(join(tmpdir(), 'nt-stream-bench-')), 'server.db'),
      NODETOOL_WORKER_URL: worker.url,
      NODETOOL_WORKER_TOKEN: TOKEN,
      NODETOOL_WEB_ROOT: '',
      // BENCH_SERVER_ENV='{"NAME":"value"}': settings to try, for the memory figures.
      ...(JSON.parse(process.env['BENCH_SERVER_ENV'] ?? '{}') as Record<string, string>),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  servers.push(child);
  let log = '';
  const url = await new Promise<string>((resolve) =>
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /listening on (\S+)/.exec(log);
      if (match) resolve(match[1] as string);
    }),
  );
  await workerConnected(url);
  const socket = new WebSocket(`${url.replace('http', 'ws')}/ws`);
  await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
  return { url, pid: child.pid as number, socket, stop: () => (socket.close(), child.kill(profile.length ? 'SIGINT' : 'SIGKILL')) };
}

const bridge = new WebsocketPythonBridge({ wsUrl: worker.url, workerToken: TOKEN });
await bridge.connect();

/** The bridge alone: ms to the first chunk and to the last, for a stream of `count` items. */
async function viaBridge(count: number): Promise<{ first: number; last: number }> {
  const started = performance.now();
  let first = 0;
  let seen = 0;
  for await (const _chunk of bridge.executeStream({ nodeType: 'fixtures.Count', fields: { count } })) {
    if (seen++ === 0) first = performance.now() - started;
  }
  if (seen !== count) throw new Error(`the bridge got ${seen} of ${count} items`);
  return { first, last: performance.now() - started };
}

let jobs = 0;

/** Through the server: ms from sending run_job to the first output_update and to the last, for `count` items into a Preview. */
function viaServer({ socket }: BenchServer, count: number): Promise<{ first: number; last: number }> {
  const jobId = `bench-${++jobs}`;
  const graph = {
    nodes: [
      { id: 'count', type: 'fixtures.Count', data: { count } },
      { id: 'p', type: 'nodetool.workflows.base_node.Preview', data: { name: 'numbers' } },
    ],
    edges: [{ source: 'count', sourceHandle: 'index', target: 'p', targetHandle: 'value' }],
  };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let first = 0;
    let last = 0;
    let seen = 0;
    const onMessage = (data: WebSocket.RawData) => {
      const text = data.toString();
      // Items are counted without parsing them (the server writes `type` first): the client must keep up with the server.
      if (text.startsWith('{"type":"output_update"')) {
        if (seen++ === 0) first = performance.now() - started;
        last = performance.now() - started;
        return;
      }
      const message = JSON.parse(text) as { type: string; job_id?: string; status?: string; error?: string; request_id?: string };
      if (message.job_id !== jobId && message.request_id !== jobId) return;
      if (message.type === 'error' || (message.type === 'job_update' && message.status !== 'running')) {
        socket.off('message', onMessage);
        socket.off('close', onClose);
        if (message.status !== 'completed') reject(new Error(`the run ended ${message.status ?? 'in error'}: ${message.error}`));
        else if (seen !== count) reject(new Error(`the client got ${seen} of ${count} items`));
        else resolve({ first, last });
      }
    };
    const onClose = () =>
      reject(
        new Error(
          `the server closed the client's WebSocket after ${seen} of ${count} items (a client that falls NODETOOL_WS_MAX_BUFFERED_BYTES behind is dropped)`,
        ),
      );
    socket.on('message', onMessage);
    socket.once('close', onClose);
    socket.send(JSON.stringify({ command: 'run_job', data: { graph, job_id: jobId }, request_id: jobId }));
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const server = await startServer();
// Warm both paths (imports, the first execute) before measuring.
await viaBridge(10);
await viaServer(server, 10);
const firstItem = { bridge: [] as number[], server: [] as number[] };
for (let repeat = 0; repeat < REPEATS; repeat++) {
  firstItem.bridge.push((await viaBridge(1)).first);
  firstItem.server.push((await viaServer(server, 1)).first);
}
const rate = { bridge: [] as number[], server: [] as number[] };
for (let repeat = 0; repeat < THROUGHPUT_REPEATS; repeat++) {
  rate.bridge.push(ITEMS / ((await viaBridge(ITEMS)).last / 1000));
  rate.server.push(ITEMS / ((await viaServer(server, ITEMS)).last / 1000));
}
server.stop();

/** The same stream started over HTTP with no client watching its events (they are still numbered and kept for reconnects). */
async function unwatched({ url }: BenchServer, count: number): Promise<void> {
  const graph = {
    nodes: [
      { id: 'count', type: 'fixtures.Count', data: { count } },
      { id: 'p', type: 'nodetool.workflows.base_node.Preview', data: { name: 'numbers' } },
    ],
    edges: [{ source: 'count', sourceHandle: 'index', target: 'p', targetHandle: 'value' }],
  };
  const response = await fetch(`${url}/api/run?wait=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ graph }),
  });
  const job = (await response.json()) as { status: string; error?: string };
  if (job.status !== 'completed') throw new Error(`the run ${job.status}: ${job.error}`);
}

const memory: Array<{ items: number; watched: boolean; beforeMiB: number; peakMiB: number }> = [];
for (const items of RSS_ITEMS) {
  // Past 100,000 items the bench's own client, sharing two cores with the server and the worker, falls
  // NODETOOL_WS_MAX_BUFFERED_BYTES behind and is dropped (by design): longer streams are measured unwatched.
  for (const watched of items <= 100_000 ? [false, true] : [false]) {
    const fresh = await startServer();
    await viaServer(fresh, 10);
    const status = () => readFileSync(`/proc/${fresh.pid}/status`, 'utf8');
    const mib = (field: 'VmHWM' | 'VmRSS') => Math.round(Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status())?.[1]) / 1024);
    // Writing 5 to clear_refs resets the peak (VmHWM): what follows is this stream's.
    writeFileSync(`/proc/${fresh.pid}/clear_refs`, '5');
    const beforeMiB = mib('VmRSS');
    if (watched) await viaServer(fresh, items);
    else await unwatched(fresh, items);
    memory.push({ items, watched, beforeMiB, peakMiB: mib('VmHWM') });
    fresh.stop();
  }
}

const ttfi = { bridge: median(firstItem.bridge), server: median(firstItem.server) };
const throughput = { bridge: median(rate.bridge), server: median(rate.server) };
console.log(
  JSON.stringify(
    {
      time_to_first_item_ms: {
        bridge: Number(ttfi.bridge.toFixed(2)),
        server: Number(ttfi.server.toFixed(2)),
        difference: Number((ttfi.server - ttfi.bridge).toFixed(2)),
        goal: 'within 5 ms',
      },
      items_per_second_10k: {
        bridge: Math.round(throughput.bridge),
        server: Math.round(throughput.server),
        ratio: Number((throughput.server / throughput.bridge).toFixed(3)),
        goal: '>= 0.8',
      },
      server_rss_per_stream: memory,
    },
    null,
    2,
  ),
);
await bridge.close();
process.exit(0);
