/**
 * nx run smoke-runner:bench — the smoke workflow on a warm HF worker beside the
 * same two embeddings computed directly in Python in the worker environment.
 * Reports the in-process run (bridge already connected, model loaded), the whole
 * CLI process against the warm worker, and the direct Python numbers.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebsocketPythonBridge } from '@nt/bridge';
import { runWorkflow } from '@nt/runtime';
import { projectWorkerPython, REPO_ROOT, spawnRealWorker } from '@nt/worker-auth-fixtures';
import { loadSmokeWorkflow, SMOKE_WORKFLOW_PATH } from '../src/smokeWorkflow.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 20);
const CLI_RUNS = Number(process.env['BENCH_CLI_RUNS'] ?? 5);
const TOKEN = 'smoke-bench';
const CLI = fileURLToPath(new URL('../../../apps/cli/bin/nodetool.js', import.meta.url));
const DIRECT = fileURLToPath(new URL('../../../apps/worker/scripts/bench-direct-embeddings.py', import.meta.url));

const run = (file: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  new Promise<string>((resolve, reject) =>
    execFile(file, args, { env, maxBuffer: 64 << 20 }, (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout))),
  );
const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const round = (x: number) => Math.round(x * 100) / 100;

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
await runWorkflow(workflow, { bridge }); // warm-up: loads the model into the worker
const inProcess: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const started = performance.now();
  const result = await runWorkflow(workflow, { bridge });
  if (result.status !== 'completed') throw new Error(`run failed: ${result.error}`);
  inProcess.push(performance.now() - started);
}
// The same two executes inside one job with no job.end between them, so the worker keeps the
// model loaded: this isolates bridge + worker overhead from the worker's per-run model release.
const model = { type: 'hf.sentence_similarity', repo_id: 'sentence-transformers/all-MiniLM-L6-v2' };
const pairInJob: number[] = [];
for (let i = 0; i < RUNS + 1; i++) {
  const started = performance.now();
  await Promise.all(
    ['The cat sits on the mat.', 'A feline rests on the rug.'].map((inputs, n) =>
      bridge.execute({
        nodeType: 'huggingface.sentence_similarity.SentenceSimilarity',
        fields: { model, inputs },
        nodeId: `embed_${n}`,
        jobId: 'bench-one-job',
      }),
    ),
  );
  if (i > 0) pairInJob.push(performance.now() - started);
}
await bridge.endJob({ jobId: 'bench-one-job' });
await bridge.close();

const cliEnv = { ...process.env, NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN };
const cli: number[] = [];
for (let i = 0; i < CLI_RUNS; i++) {
  const started = performance.now();
  await run(process.execPath, [CLI, 'workflows', 'run', SMOKE_WORKFLOW_PATH, '--json'], cliEnv);
  cli.push(performance.now() - started);
}
await worker.kill();

const report = {
  python_direct_warm_pair_p50_ms: direct.warm_pair_p50_ms,
  runtime_warm_run_p50_ms: round(p50(inProcess)),
  warm_ratio: round(p50(inProcess) / direct.warm_pair_p50_ms),
  bridge_pair_within_one_job_p50_ms: round(p50(pairInJob)),
  within_job_ratio: round(p50(pairInJob) / direct.warm_pair_p50_ms),
  python_direct_cold_process_ms: direct.cold_process_ms,
  cli_process_against_warm_worker_p50_ms: round(p50(cli)),
  cli_vs_cold_python_ratio: round(p50(cli) / direct.cold_process_ms),
};
console.log(JSON.stringify(report, null, 2));
console.log(`warm run ratio ${report.warm_ratio} (target ≤ 1.3): ${report.warm_ratio <= 1.3 ? 'met' : 'MISSED'}`);
