/**
 * nx run server:bench-pool — the server driving a pool of real fixture workers, each limited to one
 * run at a time (NODETOOL_WORKER_MAX_CONCURRENT_RUNS=1):
 *   1. 64 runs of a node that sleeps 0.5 s, 16 submitted at a time, against 1, 2 and 4 workers:
 *      the wall time should fall close to 1/n (ideal: 32 s, 16 s, 8 s).
 *   2. A batch of 32 such runs on 2 workers, one of them killed in the middle: how many runs failed
 *      (only those executing on it should), how many ran on the survivor after the kill, how long
 *      until /health showed it gone, and how long until it was back in rotation after restarting.
 */
import { spawnRealWorker, type RealWorker } from '@nt/test-fixtures';
import { startBenchServer, type BenchServer } from './benchServer.js';

const TOKEN = 'pool-bench-token';
const RUNS = Number(process.env['BENCH_RUNS'] ?? 64);
const LANES = 16;
const sleepRun = JSON.stringify({ graph: { nodes: [{ id: 'nap', type: 'fixtures.Sleep', data: { seconds: 0.5, steps: 2 } }], edges: [] }, wait: true });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Job {
  id: string;
  status: string;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  result: { nodes: Record<string, { worker?: string; status: string }> } | null;
}

function startServer(urls: string[]) {
  return startBenchServer(urls, TOKEN, LANES, { NODETOOL_WORKER_MAX_CONCURRENT_RUNS: '1' });
}

/** Submits `total` runs, `lanes` at a time (each lane waits for its run's outcome, then sends the next). */
async function batch(server: BenchServer, total: number, lanes: number, onSubmit?: (index: number) => void): Promise<Job[]> {
  let next = 0;
  const jobs: Job[] = [];
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let index = next++; index < total; index = next++) {
        onSubmit?.(index);
        jobs.push((await server.call('POST', '/api/run', sleepRun)) as Job);
      }
    }),
  );
  return jobs;
}

const workers: RealWorker[] = [];
process.on('exit', () => workers.forEach((worker) => worker.process.kill('SIGKILL')));
const scaling: Array<{ workers: number; wall_s: number; ideal_s: number; efficiency: number; runs_per_worker: number[] }> = [];
for (const count of [1, 2, 4]) {
  const pool = await Promise.all(Array.from({ length: count }, () => spawnRealWorker({ token: TOKEN })));
  workers.push(...pool);
  const server = await startServer(pool.map((worker) => worker.url));
  await batch(server, 4, 4); // warm-up
  const started = performance.now();
  const jobs = await batch(server, RUNS, LANES);
  const wall = (performance.now() - started) / 1000;
  const ideal = (RUNS * 0.5) / count;
  const perWorker = pool.map((worker) => jobs.filter((job) => job.result?.nodes['nap']?.worker === worker.url).length);
  scaling.push({ workers: count, wall_s: round(wall), ideal_s: ideal, efficiency: round(ideal / wall), runs_per_worker: perWorker });
  console.error(`${count} worker(s): ${round(wall)} s for ${RUNS} runs (ideal ${ideal} s)`);
  await server.stop();
  for (const worker of pool) await worker.kill();
  workers.length = 0;
}

// A worker killed in the middle of a batch of 32.
const [a, b] = await Promise.all([spawnRealWorker({ token: TOKEN }), spawnRealWorker({ token: TOKEN })]);
workers.push(a, b);
const server = await startServer([a.url, b.url]);
let killedAt = 0;
const kill = (async () => {
  await sleep(4_000);
  killedAt = Date.now();
  await a.kill();
  while ((await server.health()).pool.workers.find((worker) => worker.id === a.url)?.state === 'connected') await sleep(5);
  return Date.now() - killedAt;
})();
const jobs = await batch(server, 32, LANES);
const goneAfterMs = await kill;
const failed = jobs.filter((job) => job.status !== 'completed');
const afterKill = jobs.filter((job) => job.status === 'completed' && Date.parse(job.finished_at ?? '') >= killedAt);
const restarted = await spawnRealWorker({ token: TOKEN, port: a.port });
workers.push(restarted);
const listening = Date.now();
while ((await server.health()).pool.connected !== 2) await sleep(10);
const backAfterMs = Date.now() - listening;
await server.stop();

const report = {
  scaling,
  kill_one_of_two_in_a_batch_of_32: {
    failed: failed.length,
    failed_errors: [...new Set(failed.map((job) => job.error?.replace(/ws:\/\/127\.0\.0\.1:\d+/g, '<worker>')))],
    completed_on_the_survivor_after_the_kill: afterKill.length,
    completed_on_the_killed_worker_before: jobs.filter((job) => job.result?.nodes['nap']?.worker === a.url && job.status === 'completed').length,
    pool_showed_it_gone_after_ms: goneAfterMs,
    back_in_rotation_after_restart_ms: backAfterMs,
  },
};
console.log(JSON.stringify(report, null, 2));
for (const worker of workers) await worker.kill();

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
