/**
 * nx run server:bench — 200 runs of a one-node fixture workflow through
 * POST /api/run (waiting for the result) beside the same 200 through the
 * runtime in one process, on the same real worker. Target: ≤ 1.2×.
 */
import { request, Agent } from 'node:http';
import { PythonStdioBridge } from '@nt/bridge';
import { loadWorkflow, runWorkflow } from '@nt/runtime';
import { fixtureStdioOptions } from '@nt/worker-auth-fixtures';
import { startTestServer, waitForWorker } from '../src/testing/testServer.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 200);
const graph = { nodes: [{ id: 'say', type: 'fixtures.Echo', data: { value: 'bench' } }], edges: [] };

const server = await startTestServer();
await waitForWorker(server);
const body = JSON.stringify({ graph, wait: true });
// A keep-alive client, as a UI or another service would hold; the cost measured is the server's.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const post = () =>
  new Promise<string>((resolve, reject) => {
    const req = request(`${server.url}/api/run`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
const serverRun = async () => {
  const job = JSON.parse(await post()) as { status: string };
  if (job.status !== 'completed') throw new Error(`server run ${job.status}`);
};

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
await server.close();

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
