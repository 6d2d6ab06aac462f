/**
 * nx run server:bench-media — a workflow's media URL fetched by the built server into its asset store:
 * a `nodetool.constant.Image` naming a URL of a local HTTP server (allowed by NODETOOL_FETCH_ALLOW_HOSTS)
 * that streams BENCH_SIZES_MIB (8, 64, 256) of bytes made as they are sent, into a Preview. No worker:
 * the run is the fetch. For each size: the run's time (POST /api/run with wait, medians of BENCH_REPEATS,
 * 3), the same bytes read by a bare HTTP client that writes them to a file (the floor), and the server's
 * peak RSS during the run. Goals: at least 0.8× the bare client's rate; RSS flat across the sizes (the
 * body is streamed to disk, never held).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { REPO_ROOT } from '@nt/test-fixtures';

const MiB = 1024 * 1024;
const SIZES = (process.env['BENCH_SIZES_MIB'] ?? '8,64,256').split(',').map((size) => Number(size) * MiB);
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 3);
const dataDir = mkdtempSync(join(tmpdir(), 'nt-media-bench-'));

// Bytes made as they are sent (a PNG signature first, so the asset is typed as an image), never held whole.
const CHUNK = Buffer.alloc(MiB, 7);
const PNG = Buffer.from('89504e470d0a1a0a', 'hex');
let served = 0;
const files = createServer((request, response) => {
  const size = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('bytes'));
  const salt = Buffer.from(`${++served}`.padEnd(16, '.'));
  response.writeHead(200, { 'content-type': 'image/png', 'content-length': String(size) });
  let sent = 0;
  const more = () => {
    while (sent < size) {
      const head = sent === 0 ? Buffer.concat([PNG, salt]) : null;
      const piece = head ?? CHUNK.subarray(0, Math.min(CHUNK.length, size - sent));
      sent += piece.length;
      if (!response.write(piece)) return void response.once('drain', more);
    }
    response.end();
  };
  more();
});
await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
const filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;

// BENCH_SERVER_CPU_PROF=<dir> writes the server's V8 CPU profile there.
const profile = process.env['BENCH_SERVER_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_SERVER_CPU_PROF']}`] : [];
const server = spawn(process.execPath, [...profile, join(REPO_ROOT, 'apps', 'server', 'dist', 'main.js')], {
  env: {
    ...process.env,
    PORT: '0',
    NODETOOL_DB: join(dataDir, 'server.db'),
    NODETOOL_LOCAL_WORKER: '0',
    NODETOOL_WORKER_URL: '',
    NODETOOL_WEB_ROOT: '',
    NODETOOL_FETCH_ALLOW_HOSTS: '127.0.0.1',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const stopServer = () => server.kill(profile.length ? 'SIGINT' : 'SIGKILL');
process.on('exit', stopServer);
let log = '';
const url = await new Promise<string>((resolve) =>
  server.stdout.on('data', (chunk: Buffer) => {
    log += chunk.toString();
    const match = /listening on (\S+)/.exec(log);
    if (match) resolve(match[1] as string);
  }),
);

const peakMiB = () => Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1]) / 1024;
const resetPeak = () => writeFileSync(`/proc/${server.pid}/clear_refs`, '5');

/** One run of the workflow through the server: ms, and what its Preview got. */
async function viaServer(size: number): Promise<number> {
  const graph = {
    nodes: [
      { id: 'picture', type: 'nodetool.constant.Image', data: { value: { type: 'image', uri: `${filesUrl}/big.png?bytes=${size}` } } },
      { id: 'shown', type: 'nodetool.workflows.base_node.Preview', data: { name: 'picture' } },
    ],
    edges: [{ source: 'picture', sourceHandle: 'output', target: 'shown', targetHandle: 'value' }],
  };
  const started = performance.now();
  const response = await fetch(`${url}/api/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ graph, wait: true }),
  });
  const job = (await response.json()) as { status: string; error?: string; result?: { outputs: { picture: { size: number } } } };
  const ms = performance.now() - started;
  if (job.status !== 'completed' || job.result?.outputs.picture.size !== size)
    throw new Error(`the run did not keep the picture: ${JSON.stringify(job).slice(0, 300)}`);
  return ms;
}

/** The floor: a bare HTTP client writing the same bytes to a file. */
async function viaBareClient(size: number): Promise<number> {
  const file = join(dataDir, 'bare.bin');
  const started = performance.now();
  await new Promise<void>((resolve, reject) =>
    get(`${filesUrl}/big.png?bytes=${size}`, (response) => pipeline(response, createWriteStream(file)).then(resolve, reject)).on('error', reject),
  );
  const ms = performance.now() - started;
  rmSync(file);
  return ms;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const rows: string[] = [];
for (const size of SIZES) {
  const fetched: number[] = [];
  const bare: number[] = [];
  let peak = 0;
  for (let i = 0; i < REPEATS; i++) {
    bare.push(await viaBareClient(size));
    resetPeak();
    fetched.push(await viaServer(size));
    peak = Math.max(peak, peakMiB());
  }
  const rate = (ms: number) => size / MiB / (ms / 1000);
  rows.push(
    `| ${size / MiB} MiB | ${median(fetched).toFixed(0)} ms (${rate(median(fetched)).toFixed(0)} MiB/s) | ${median(bare).toFixed(0)} ms (${rate(median(bare)).toFixed(0)} MiB/s) | ${(median(bare) / median(fetched)).toFixed(2)}× | ${peak.toFixed(0)} MiB |`,
  );
}
console.log('| media URL | server: fetched into the asset store | bare client to a file | ratio | server peak RSS |');
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(row);
stopServer();
await new Promise((resolve) => server.once('exit', resolve));
files.close();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
