/**
 * nx run server:bench — 200 runs of a one-node fixture workflow through
 * POST /api/run (waiting for the result) against the server running as its
 * own process, as deployed, beside the same 200 through the runtime in this
 * process; both on the real worker, interleaved. Target: ≤ 1.2×.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PythonStdioBridge } from '@nt/bridge';
import { loadWorkflow, runWorkflow } from '@nt/runtime';
import { FIXTURE_WORKER_ENV, fixtureStdioOptions, REPO_ROOT } from '@nt/test-fixtures';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 200);
const graph = { nodes: [{ id: 'say', type: 'fixtures.Echo', data: { value: 'bench' } }], edges: [] };

// The built server (nx run server:build), on a free port, with the fixture worker over stdio.
// BENCH_SERVER_CPU_PROF=<dir> writes the server's V8 CPU profile there, to see where its time goes.
const profile = process.env['BENCH_SERVER_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_SERVER_CPU_PROF']}`] : [];
const server = spawn(process.execPath, [...profile, join(REPO_ROOT, 'apps', 'server', 'dist', 'main.js')], {
  env: {
    ...process.env,
    ...FIXTURE_WORKER_ENV,
    PORT: '0',
    NODETOOL_DB: join(mkdtempSync(join(tmpdir(), 'nt-bench-')), 'server.db'),
    NODETOOL_PYTHON: fixtureStdioOptions().pythonPath,
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
process.on('exit', () => server.kill('SIGKILL'));
let log = '';
const url = await new Promise<string>((resolve) =>
  server.stdout.on('data', (chunk: Buffer) => {
    log += chunk.toString();
    const match = /listening on (\S+)/.exec(log);
    if (match) resolve(match[1] as string);
  }),
);
// Ready once /health says the worker is connected.
for (;;) {
  const health = (await fetch(`${url}/health`).then((response) => response.json())) as { worker?: { state: string } };
  if (health.worker?.state === 'connected') break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}

const body = JSON.stringify({ graph, wait: true });
// A keep-alive client, as a UI or another service would hold.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const serverRun = () =>
  new Promise<void>((resolve, reject) => {
    const req = request(
      `${url}/api/run`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => ((JSON.parse(text) as { status: string }).status === 'completed' ? resolve() : reject(new Error(text))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });

const bridge = new PythonStdioBridge(fixtureStdioOptions());
await bridge.connect();
const workflow = loadWorkflow(graph);
const runtimeRun = async () => {
  const result = await runWorkflow(workflow, { bridge });
  if (result.status !== 'completed') throw new Error(`runtime run ${result.status}`);
};

// Interleaved, one of each per round, so machine noise and worker warmth hit both sides alike.
for (let i = 0; i < 20; i++) {
  await serverRun();
  await runtimeRun();
}
const viaServer: number[] = [];
const inProcess: number[] = [];
for (let i = 0; i < RUNS; i++) {
  let started = performance.now();
  await serverRun();
  viaServer.push(performance.now() - started);
  started = performance.now();
  await runtimeRun();
  inProcess.push(performance.now() - started);
}
agent.destroy();
await bridge.close();
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const round = (x: number) => Math.round(x * 1000) / 1000;
const report = {
  runs: RUNS,
  server_total_ms: round(sum(viaServer)),
  runtime_total_ms: round(sum(inProcess)),
  server_p50_ms: round(p50(viaServer)),
  runtime_p50_ms: round(p50(inProcess)),
  ratio_total: round(sum(viaServer) / sum(inProcess)),
  ratio_p50: round(p50(viaServer) / p50(inProcess)),
};
console.log(JSON.stringify(report, null, 2));
console.log(`server/runtime ${report.ratio_total}× (target ≤ 1.2): ${report.ratio_total <= 1.2 ? 'met' : 'MISSED'}`);
