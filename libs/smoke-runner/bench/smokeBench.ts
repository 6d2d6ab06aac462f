/**
 * nx run smoke-runner:bench — the smoke workflow on a warm HF worker against the same two embeddings
 * computed directly in Python in the worker environment (the warm pair), measured:
 *   - in this process (runtime + bridge), with the model keep-alive (5m) and with keep-alive 0;
 *   - the two executes alone, inside one job (bridge + worker overhead, no run around them);
 *   - through the server process (HTTP run with wait), keep-alive 5m and 0, and across an expiry;
 *   - through the CLI process against the warm worker, with --keep-alive and without.
 * Prints JSON and whether the targets are met (warm run through the server ≤ 1.3×, pair in one job ≤ 1.3×).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebsocketPythonBridge } from '@nt/bridge';
import { ModelKeepAlive, runWorkflow } from '@nt/runtime';
import { projectWorkerPython, REPO_ROOT, spawnRealWorker } from '@nt/test-fixtures';
import { freeLoopbackPort } from '../src/containerWorker.js';
import { loadSmokeWorkflow, SMOKE_WORKFLOW_PATH } from '../src/smokeWorkflow.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 20);
const CLI_RUNS = Number(process.env['BENCH_CLI_RUNS'] ?? 5);
const TOKEN = 'smoke-bench-token-0123';
const CLI = fileURLToPath(new URL('../../../apps/cli/bin/nodetool.js', import.meta.url));
const SERVER = join(REPO_ROOT, 'apps', 'server', 'dist', 'main.js');
const DIRECT = fileURLToPath(new URL('../../../apps/worker/scripts/bench-direct-embeddings.py', import.meta.url));

const run = (file: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  new Promise<string>((resolve, reject) =>
    execFile(file, args, { env, maxBuffer: 64 << 20 }, (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout))),
  );
const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const round = (x: number) => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function timed(times: number, once: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await once();
    samples.push(performance.now() - started);
  }
  return round(p50(samples));
}

const direct = JSON.parse(await run(projectWorkerPython('hf'), [DIRECT, String(RUNS)])) as { cold_process_ms: number; warm_pair_p50_ms: number };

const worker = await spawnRealWorker({
  token: TOKEN,
  flavour: 'hf',
  env: { NODETOOL_WORKER_NAMESPACES: 'huggingface', HF_HOME: `${REPO_ROOT}/apps/worker/.hf-home` },
});
// A failed run must not leave the worker behind.
process.on('exit', () => worker.process.kill('SIGKILL'));
const workflow = await loadSmokeWorkflow();
const bridge = new WebsocketPythonBridge({ wsUrl: worker.url, workerToken: TOKEN });
await bridge.connect();
const keepAlive = new ModelKeepAlive(bridge);
const inProcess = async (keepAliveMs: number) => {
  const result = await runWorkflow(workflow, { bridge, keepAlive, keepAliveMs });
  if (result.status !== 'completed') throw new Error(`run failed: ${result.error}`);
};

// In this process: warm runs within the keep-alive, then runs that release at their end (as before the keep-alive).
await inProcess(300_000);
const inProcessKept = await timed(RUNS, () => inProcess(300_000));
await inProcess(0);
const inProcessReleased = await timed(RUNS, () => inProcess(0));

// The two executes alone, in one job: what the bridge and the worker add to the pair.
const model = { type: 'hf.sentence_similarity', repo_id: 'sentence-transformers/all-MiniLM-L6-v2' };
const pair = () =>
  Promise.all(
    ['The cat sits on the mat.', 'A feline rests on the rug.'].map((inputs, n) =>
      bridge.execute({
        nodeType: 'huggingface.sentence_similarity.SentenceSimilarity',
        fields: { model, inputs },
        nodeId: `embed_${n}`,
        jobId: 'bench-one-job',
      }),
    ),
  );
await pair();
const pairInJob = await timed(RUNS, pair);
await bridge.endJob({ jobId: 'bench-one-job' });
keepAlive.dispose();
await bridge.close();

// Through the server process, as a client sees it: POST a run of the saved workflow and wait for its outcome.
const server = await startServer({ NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN, NODETOOL_MODEL_KEEP_ALIVE: '5m' });
const saved = (await post(server.url, '/api/workflows', JSON.parse(readFileSync(SMOKE_WORKFLOW_PATH, 'utf8')))) as { id: string };
const serverRun = async (keep_alive: string | number) => {
  const job = (await post(server.url, `/api/workflows/${saved.id}/run?wait=true`, { keep_alive })) as { status: string; error?: string };
  if (job.status !== 'completed') throw new Error(`server run failed: ${job.error}`);
};
await serverRun('5m');
const serverKept = await timed(RUNS, () => serverRun('5m'));
await serverRun(0);
const serverReleased = await timed(RUNS, () => serverRun(0));
// Across an expiry: warm within 2 s, then the load is paid again once they have passed.
await serverRun('2s');
const beforeExpiry = await timed(1, () => serverRun('2s'));
await sleep(3000);
const afterExpiry = await timed(1, () => serverRun('2s'));
await server.stop();

// The CLI process against the warm worker: with --keep-alive the model stays loaded between processes.
const cliEnv = { ...process.env, NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN };
const cli = (...extra: string[]) => run(process.execPath, [CLI, 'workflows', 'run', SMOKE_WORKFLOW_PATH, '--json', ...extra], cliEnv);
await cli('--keep-alive', '5m');
const cliKept = await timed(CLI_RUNS, () => cli('--keep-alive', '5m'));
await cli('--keep-alive', '0');
const cliReleased = await timed(CLI_RUNS, () => cli());
await worker.kill();

const warm = direct.warm_pair_p50_ms;
const report = {
  python_direct_warm_pair_p50_ms: warm,
  python_direct_cold_process_ms: direct.cold_process_ms,
  in_process_run_keep_alive_5m_p50_ms: inProcessKept,
  in_process_run_keep_alive_0_p50_ms: inProcessReleased,
  pair_within_one_job_p50_ms: pairInJob,
  pair_within_one_job_ratio: round(pairInJob / warm),
  server_run_keep_alive_5m_p50_ms: serverKept,
  server_run_keep_alive_5m_ratio: round(serverKept / warm),
  server_run_keep_alive_0_p50_ms: serverReleased,
  server_run_keep_alive_0_ratio: round(serverReleased / warm),
  server_run_within_2s_keep_alive_ms: beforeExpiry,
  server_run_after_2s_keep_alive_passed_ms: afterExpiry,
  cli_process_keep_alive_5m_p50_ms: cliKept,
  cli_process_default_release_p50_ms: cliReleased,
};
console.log(JSON.stringify(report, null, 2));
const verdict = (ratio: number) => (ratio <= 1.3 ? 'met' : 'MISSED');
console.log(`warm run through the server ${report.server_run_keep_alive_5m_ratio}× (target ≤ 1.3): ${verdict(report.server_run_keep_alive_5m_ratio)}`);
console.log(`two executes in one job ${report.pair_within_one_job_ratio}× (target ≤ 1.3): ${verdict(report.pair_within_one_job_ratio)}`);

async function post(base: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const payload = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(payload)}`);
  return payload;
}

/** The built server (apps/server/dist), on a free loopback port with a throwaway database. */
async function startServer(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), NODETOOL_DB: join(mkdtempSync(join(tmpdir(), 'nt-bench-')), 'server.db'), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    const health = await fetch(`${url}/health`)
      .then((response) => response.json() as Promise<{ worker?: { state: string } }>)
      .catch(() => null);
    if (health?.worker?.state === 'connected') break;
    if (tries > 300) throw new Error('the server did not connect to the worker');
    await sleep(100);
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
