/**
 * nx run server:bench-assets — media-sized results, worker → server → file on disk, for 8, 64 and
 * 256 MiB audio results (fixtures.MakeAudio on the real worker over a direct WebSocket): the server's
 * throughput beside a bare `ws` client receiving the same result's frames (as bridge:bench measures a
 * bare receive), the same bare client also writing the bytes to a file (the floor with a disk in the path),
 * the server's peak RSS for each size, and a plain TCP copy of the same bytes for scale.
 * Each side runs BENCH_REPEATS times (3), interleaved; medians are compared, the peak RSS is the highest.
 * Goals: ≥ 0.8× the bare receive; RSS flat across the sizes.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { decodeMessage, encodeMessage } from '@nt/protocol';
import { REPO_ROOT, spawnRealWorker, workerConnected } from '@nt/test-fixtures';

const MiB = 1024 * 1024;
const SIZES = (process.env['BENCH_SIZES_MIB'] ?? '8,64,256').split(',').map((size) => Number(size) * MiB);
const TOKEN = 'assets-bench-token';

const worker = await spawnRealWorker({ token: TOKEN });
const dataDir = mkdtempSync(join(tmpdir(), 'nt-assets-bench-'));
// BENCH_SERVER_CPU_PROF=<dir> writes the server's V8 CPU profile there.
const profile = process.env['BENCH_SERVER_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_SERVER_CPU_PROF']}`] : [];
const server = spawn(process.execPath, [...profile, join(REPO_ROOT, 'apps', 'server', 'dist', 'main.js')], {
  env: {
    ...process.env,
    PORT: '0',
    NODETOOL_DB: join(dataDir, 'server.db'),
    NODETOOL_WORKER_URL: worker.url,
    NODETOOL_WORKER_TOKEN: TOKEN,
    NODETOOL_WEB_ROOT: '',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
process.on('exit', () => {
  server.kill('SIGKILL');
  worker.process.kill('SIGKILL');
});
let log = '';
const url = await new Promise<string>((resolve) =>
  server.stdout.on('data', (chunk: Buffer) => {
    log += chunk.toString();
    const match = /listening on (\S+)/.exec(log);
    if (match) resolve(match[1] as string);
  }),
);
await workerConnected(url);

const rssOf = (field: 'VmHWM' | 'VmRSS') =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1]) / 1024;
// Writing 5 to clear_refs resets the peak (VmHWM), so each size's peak is its own.
const resetPeak = () => writeFileSync(`/proc/${server.pid}/clear_refs`, '5');

async function viaServer(size: number): Promise<{ ms: number; peakMiB: number }> {
  resetPeak();
  const started = performance.now();
  console.error('POST', Date.now());
  const response = await fetch(`${url}/api/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      graph: {
        nodes: [
          { id: 'wav', type: 'fixtures.MakeAudio', data: { size } },
          { id: 'show', type: 'nodetool.workflows.base_node.Preview', data: { name: 'out' } },
        ],
        edges: [{ source: 'wav', sourceHandle: 'output', target: 'show', targetHandle: 'value' }],
      },
      wait: true,
    }),
  });
  const job = (await response.json()) as { status: string; error?: string; result: { outputs: { out: { id: string; size: number } } } };
  const ms = performance.now() - started;
  console.error('DONE', Date.now());
  if (job.status !== 'completed') throw new Error(`the run ${job.status}: ${job.error}`);
  const { id } = job.result.outputs.out;
  if (statSync(join(dataDir, 'assets', id.slice(0, 2), id)).size !== size) throw new Error('the asset on disk has the wrong size');
  return { ms, peakMiB: rssOf('VmHWM') };
}

/**
 * The same result's frames to a bare client that only reads them until the result frame; with `toFile`,
 * it also writes each chunk's bytes to a file (the floor for "worker → file on disk" on this machine).
 */
async function bare(size: number, toFile?: string): Promise<number> {
  const socket = new WebSocket(worker.url, { headers: { Authorization: `Bearer ${TOKEN}` }, maxPayload: 0, perMessageDeflate: false });
  await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
  const frame = encodeMessage({
    type: 'execute',
    request_id: randomUUID(),
    data: { node_type: 'fixtures.MakeAudio', fields: { size }, blob_transfer: 'chunked-v1' },
  });
  const started = performance.now();
  const file = toFile ? createWriteStream(toFile) : null;
  await new Promise<void>((resolve) => {
    socket.on('message', (data: Buffer) => {
      const message = decodeMessage(data) as { type?: string; data?: { bytes?: Uint8Array } };
      if (file && message.type === 'blob.chunk' && message.data?.bytes) file.write(message.data.bytes);
      if (message.type === 'result') resolve();
    });
    socket.send(frame);
  });
  if (file) await new Promise((resolve) => file.end(resolve));
  const ms = performance.now() - started;
  socket.close();
  return ms;
}

/** A plain TCP copy of `size` bytes over loopback, read and dropped: the floor of moving these bytes here. */
async function tcpCopy(size: number): Promise<number> {
  const chunk = Buffer.alloc(MiB, 7);
  const sink = createServer((socket) => socket.resume());
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const { port } = sink.address() as { port: number };
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const client = createConnection(port, '127.0.0.1', () => {
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          sent += chunk.length;
          if (!client.write(chunk)) return void client.once('drain', pump);
        }
        client.end(resolve);
      };
      pump();
    });
  });
  const ms = performance.now() - started;
  sink.close();
  return ms;
}

// Disk writeback and the worker's allocator make single runs noisy: each side runs REPEATS times, interleaved, and the medians count.
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 3);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const rows = [];
for (const size of SIZES) {
  await bare(size); // warm the worker's path for this size
  const bareRuns: number[] = [];
  const bareToFileRuns: number[] = [];
  const serverRuns: Array<{ ms: number; peakMiB: number }> = [];
  const bareFile = join(dataDir, 'bare.bin');
  for (let run = 0; run < REPEATS; run++) {
    bareRuns.push(await bare(size));
    bareToFileRuns.push(await bare(size, bareFile));
    rmSync(bareFile);
    serverRuns.push(await viaServer(size));
  }
  const bareMs = median(bareRuns);
  const serverMs = median(serverRuns.map((run) => run.ms));
  const tcpMs = await tcpCopy(size);
  const mbps = (ms: number) => Math.round((size / MiB / (ms / 1000)) * 10) / 10;
  rows.push({
    size_mib: size / MiB,
    server_mb_per_s: mbps(serverMs),
    bare_ws_mb_per_s: mbps(bareMs),
    bare_ws_to_file_mb_per_s: mbps(median(bareToFileRuns)),
    ratio: Math.round((bareMs / serverMs) * 100) / 100,
    tcp_copy_mb_per_s: mbps(tcpMs),
    server_peak_rss_mib: Math.round(Math.max(...serverRuns.map((run) => run.peakMiB))),
  });
}
console.table(rows);
const worst = Math.min(...rows.map((row) => row.ratio));
const peaks = rows.map((row) => row.server_peak_rss_mib);
const flat = Math.max(...peaks) - Math.min(...peaks) <= 64;
console.log(
  `server/bare throughput ≥ 0.8: ${worst >= 0.8 ? 'met' : 'MISSED'} (worst ${worst}); ` +
    `peak RSS ${peaks.join(' / ')} MiB across ${rows.map((row) => `${row.size_mib} MiB`).join(' / ')}: ${flat ? 'flat' : 'NOT flat'} (within 64 MiB)`,
);
const serverExited = new Promise((resolve) => server.once('exit', resolve));
server.kill('SIGTERM');
await serverExited;
await worker.kill();
process.exit(0);
