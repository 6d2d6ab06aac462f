/**
 * nx run bridge:bench — our bridge beside a bare `ws` client on the same real
 * worker: p50/p99 round trip of a trivial execute, and MB/s of a 64 MiB bytes
 * echo. Targets: p50 ≤ 1.10× bare, throughput ≥ 0.8× bare.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { encodeMessage } from '@nt/protocol';
import { spawnRealWorker } from '@nt/test-fixtures';
import { WebsocketPythonBridge } from '../src/index.js';

const ROUND_TRIPS = Number(process.env['BENCH_ROUND_TRIPS'] ?? 2_000);
const WARMUP = 200;
const ECHO_BYTES = 64 * 1024 * 1024;
const ECHO_RUNS = Number(process.env['BENCH_ECHO_RUNS'] ?? 6);
const TOKEN = 'bridge-bench-token-0123';

const worker = await spawnRealWorker({ token: TOKEN });
// A failed run must not leave the worker behind.
process.on('exit', () => worker.process.kill('SIGKILL'));
const bridge = new WebsocketPythonBridge({ wsUrl: worker.url, workerToken: TOKEN, keepalive: false });
await bridge.connect();
const bare = await openBare(worker.url);

const echoRequest = (id: string) => ({
  type: 'execute',
  request_id: id,
  data: { node_type: 'fixtures.Echo', fields: { value: 1 }, blob_transfer: 'chunked-v1' },
});

async function bridgeRoundTrip(): Promise<number> {
  const started = performance.now();
  await bridge.execute({ nodeType: 'fixtures.Echo', fields: { value: 1 } });
  return performance.now() - started;
}

// The bare client gets every frame encoded before the clock starts and does no decoding.
const bareFrames = Array.from({ length: ROUND_TRIPS + WARMUP }, () => encodeMessage(echoRequest(randomUUID())));
let bareIndex = 0;
async function bareRoundTrip(): Promise<number> {
  const frame = bareFrames[bareIndex++] as Uint8Array;
  const started = performance.now();
  await bare.request(frame);
  return performance.now() - started;
}

for (let i = 0; i < WARMUP; i++) {
  await bridgeRoundTrip();
  await bareRoundTrip();
}
const ours: number[] = [];
const theirs: number[] = [];
// Interleaved, so drift in the machine's load hits both sides alike.
for (let i = 0; i < ROUND_TRIPS; i++) {
  ours.push(await bridgeRoundTrip());
  theirs.push(await bareRoundTrip());
}

const payload = new Uint8Array(ECHO_BYTES).map((_, i) => i % 251);
const bareEcho = encodeMessage({
  type: 'execute',
  request_id: randomUUID(),
  data: { node_type: 'fixtures.BytesEcho', fields: {}, blobs: { data: payload }, blob_transfer: 'chunked-v1' },
});
const oursMbps: number[] = [];
const theirsMbps: number[] = [];
async function bridgeEcho(): Promise<void> {
  const started = performance.now();
  const result = await bridge.execute({ nodeType: 'fixtures.BytesEcho', blobs: { data: payload } });
  if ((result.outputs['output'] as Uint8Array).byteLength !== ECHO_BYTES) throw new Error('bridge echo returned the wrong size');
  oursMbps.push(mbps(2 * ECHO_BYTES, performance.now() - started));
}
async function bareEchoRun(): Promise<void> {
  const started = performance.now();
  const reply = await bare.request(bareEcho);
  if (reply.byteLength < ECHO_BYTES) throw new Error('bare echo returned the wrong size');
  theirsMbps.push(mbps(2 * ECHO_BYTES, performance.now() - started));
}
// Alternate which side goes first, so garbage left by one run does not always land on the other.
for (let run = 0; run < ECHO_RUNS; run++) {
  if (run % 2 === 0) {
    await bridgeEcho();
    await bareEchoRun();
  } else {
    await bareEchoRun();
    await bridgeEcho();
  }
}

const report = {
  worker: 'nodetool-core (real, fixtures.Echo / fixtures.BytesEcho), ws on 127.0.0.1',
  round_trips: ROUND_TRIPS,
  bridge_p50_ms: pct(ours, 50),
  bridge_p99_ms: pct(ours, 99),
  bare_p50_ms: pct(theirs, 50),
  bare_p99_ms: pct(theirs, 99),
  p50_ratio: round(pct(ours, 50) / pct(theirs, 50)),
  echo_64mib_runs: ECHO_RUNS,
  bridge_mb_per_s: median(oursMbps),
  bare_mb_per_s: median(theirsMbps),
  throughput_ratio: round(median(oursMbps) / median(theirsMbps)),
};
console.log(JSON.stringify(report, null, 2));
console.log(
  `p50 ratio ${report.p50_ratio} (target ≤ 1.05): ${report.p50_ratio <= 1.05 ? 'met' : 'MISSED'}; ` +
    `throughput ratio ${report.throughput_ratio} (target ≥ 0.95): ${report.throughput_ratio >= 0.95 ? 'met' : 'MISSED'}`,
);

await bridge.close();
bare.close();
await worker.kill();

function openBare(url: string): Promise<{ request(frame: Uint8Array): Promise<Buffer>; close(): void }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${TOKEN}` }, maxPayload: 0, perMessageDeflate: false });
    socket.once('error', reject);
    socket.once('open', () =>
      resolve({
        request: (frame) =>
          new Promise((done) => {
            socket.once('message', (data: Buffer) => done(data));
            socket.send(frame);
          }),
        close: () => socket.close(),
      }),
    );
  });
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
}
function median(values: number[]): number {
  return pct(values, 50);
}
function mbps(bytes: number, ms: number): number {
  return round(bytes / 1024 / 1024 / (ms / 1000));
}
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
