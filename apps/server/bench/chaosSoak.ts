/**
 * nx run server:soak-chaos — the server driving 3 real core workers (fixture nodes) while one of them
 * is killed (SIGKILL) and restarted on its port every 20 s, round robin:
 *   1. SOAK_RUNS (1,000) short runs with `retry_on_worker_loss`: none may be lost (every run completes).
 *   2. The same without it: the runs the kills cut fail, and each failure must name its worker.
 * Prints the counts, how often a worker was killed, and the wall time of each phase. Not part of
 * `npm test`: minutes long by design.
 */
import { spawnRealWorker, type RealWorker } from '@nt/test-fixtures';
import { startBenchServer } from './benchServer.js';

const TOKEN = 'chaos-soak-token';
const RUNS = Number(process.env['SOAK_RUNS'] ?? 1000);
const LANES = 12;
const KILL_EVERY_MS = Number(process.env['SOAK_KILL_EVERY_MS'] ?? 20_000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const runBody = (retry: boolean) =>
  JSON.stringify({
    graph: { nodes: [{ id: 'nap', type: 'fixtures.Sleep', data: { seconds: 1, steps: 4 } }], edges: [] },
    wait: true,
    retry_on_worker_loss: retry,
  });

interface Job {
  id: string;
  status: string;
  error: string | null;
}

const workers: RealWorker[] = await Promise.all([0, 1, 2].map(() => spawnRealWorker({ token: TOKEN })));
process.on('exit', () => workers.forEach((worker) => worker.process.kill('SIGKILL')));

const server = await startBenchServer(
  workers.map((worker) => worker.url),
  TOKEN,
  LANES,
  { NODETOOL_WORKER_MAX_CONCURRENT_RUNS: '4' },
);
const call = server.call;
const connected = async () => (await server.health()).pool.connected;

/** Kills one worker every KILL_EVERY_MS, round robin, and starts it again on its port, until stopped. */
function chaos(): { stop: () => Promise<number> } {
  let kills = 0;
  let running = true;
  const loop = (async () => {
    for (let next = 0; running; next = (next + 1) % workers.length) {
      const until = Date.now() + KILL_EVERY_MS;
      while (running && Date.now() < until) await sleep(100);
      if (!running) break;
      const victim = workers[next] as RealWorker;
      await victim.kill();
      kills++;
      workers[next] = await spawnRealWorker({ token: TOKEN, port: victim.port });
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return kills;
    },
  };
}

async function phase(retry: boolean) {
  const started = performance.now();
  const killer = chaos();
  const jobs: Job[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      for (let index = next++; index < RUNS; index = next++) jobs.push((await call('POST', '/api/run', runBody(retry))) as Job);
    }),
  );
  const kills = await killer.stop();
  const failed = jobs.filter((job) => job.status !== 'completed');
  const named = failed.filter((job) => workers.some((worker) => job.error?.includes(`127.0.0.1:${worker.port}`)));
  while ((await connected()) !== workers.length) await sleep(50);
  return {
    retry_on_worker_loss: retry,
    runs: jobs.length,
    completed: jobs.length - failed.length,
    failed: failed.length,
    failures_naming_their_worker: named.length,
    kills,
    wall_s: Math.round((performance.now() - started) / 100) / 10,
    ...(failed[0] ? { first_failure: failed[0].error } : {}),
  };
}

const withRetry = await phase(true);
console.error(JSON.stringify(withRetry));
const withoutRetry = await phase(false);
console.error(JSON.stringify(withoutRetry));
console.log(JSON.stringify({ workers: 3, kill_every_s: KILL_EVERY_MS / 1000, phases: [withRetry, withoutRetry] }, null, 2));
await server.stop();
for (const worker of workers) await worker.kill();
const ok = withRetry.failed === 0 && withoutRetry.failures_naming_their_worker === withoutRetry.failed && withRetry.kills > 0;
process.exit(ok ? 0 : 1);
