/**
 * nx run server:bench-replicas — Postgres and several replicas, measured (README "Postgres and
 * replicas"):
 *  1. the server's bookkeeping per run on Postgres against SQLite: runs of one TS node in process
 *     (no worker), one after another, so each run's database writes are the whole cost;
 *  2. two replicas against one, with the same two real workers: runs of a 0.2 s fixture node from
 *     8 lanes (this box has 2 cores: the claim is "no throughput lost", not scaling);
 *  3. the time from a replica's death (SIGKILL, while it runs a long run and leads) to its run being
 *     interrupted on the survivor and to the survivor leading, over 20 kills.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkflow } from '@nt/runtime';
import { spawnRealWorker, startPostgres, type PostgresServer, type RealWorker } from '@nt/test-fixtures';
import { configFromEnv } from '../src/config.js';
import { startServer } from '../src/server.js';
import { startBenchServer, type BenchServer } from './benchServer.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 400);
const KILLS = Number(process.env['BENCH_KILLS'] ?? 20);
const LEASE_SECONDS = Number(process.env['BENCH_LEASE_SECONDS'] ?? 6);
const TOKEN = 'bench-replicas-token-5d1c0a';
const tsGraph = loadWorkflow({
  nodes: [
    { id: 'n', type: 'nodetool.constant.Integer', data: { value: 7 } },
    { id: 'out', type: 'nodetool.workflows.base_node.Preview', data: { name: 'n' } },
  ],
  edges: [{ source: 'n', sourceHandle: 'output', target: 'out', targetHandle: 'value' }],
});
const sleepBody = JSON.stringify({ graph: { nodes: [{ id: 'nap', type: 'fixtures.Sleep', data: { seconds: 0.2, steps: 1 } }], edges: [] }, wait: true });
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] as number;
const dataDir = () => mkdtempSync(join(tmpdir(), 'nt-bench-replicas-'));

/** 1. ms of bookkeeping per run, in process. */
async function perRun(env: Record<string, string>): Promise<number> {
  const config = configFromEnv({ HOST: '127.0.0.1', PORT: '0', NODETOOL_LOCAL_WORKER: '0', NODETOOL_REQUIRE_WORKER: '0', XDG_DATA_HOME: dataDir(), ...env });
  const server = await startServer({ ...config, webRoot: null });
  try {
    for (let warm = 0; warm < 50; warm++) await (await server.app.runs.start(tsGraph)).done;
    const started = performance.now();
    for (let run = 0; run < RUNS; run++) {
      const job = await (await server.app.runs.start(tsGraph)).done;
      if (job.status !== 'completed') throw new Error(`a run ended ${job.status}: ${job.error}`);
    }
    return (performance.now() - started) / RUNS;
  } finally {
    await server.close();
  }
}

/** 2. Runs a second of the 0.2 s node from 8 lanes spread over `replicas`. */
async function throughput(replicas: BenchServer[]): Promise<number> {
  const lanes = 8;
  let next = 0;
  const total = 160;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      const server = replicas[lane % replicas.length] as BenchServer;
      while (next < total) {
        next++;
        const job = (await server.call('POST', '/api/run', sleepBody)) as { status: string };
        if (job.status !== 'completed') throw new Error(`a run ended ${job.status}`);
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

const leads = async (server: BenchServer) => ((await server.call('GET', '/health')) as { replica: { leader: boolean } }).replica.leader;

/** 3. One kill: ms until the leader's long run is interrupted on the survivor, and until the survivor leads. */
async function kill(leader: BenchServer, survivor: BenchServer): Promise<{ interrupted: number; led: number }> {
  const started = (await leader.call(
    'POST',
    '/api/run',
    JSON.stringify({ graph: { nodes: [{ id: 'nap', type: 'fixtures.Sleep', data: { seconds: 600, steps: 600 } }], edges: [] } }),
  )) as {
    job_id: string;
  };
  while (((await survivor.call('GET', `/api/jobs/${started.job_id}`)) as { status: string }).status !== 'running')
    await new Promise((resolve) => setTimeout(resolve, 50));
  leader.child.kill('SIGKILL');
  const at = performance.now();
  let interrupted = 0;
  let led = 0;
  while (!interrupted || !led) {
    if (!interrupted && ((await survivor.call('GET', `/api/jobs/${started.job_id}`)) as { status: string }).status === 'interrupted')
      interrupted = performance.now() - at;
    if (!led && (await leads(survivor))) led = performance.now() - at;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { interrupted, led };
}

async function main(): Promise<void> {
  const postgres: PostgresServer = await startPostgres();
  const workers: RealWorker[] = [];
  try {
    const sqliteMs = await perRun({ NODETOOL_DB: join(dataDir(), 'server.db') });
    const postgresMs = await perRun({ DATABASE_URL: await postgres.createDatabase('bench_per_run') });
    console.log(
      `bookkeeping per run (${RUNS} runs of one TS node, in process): SQLite ${sqliteMs.toFixed(2)} ms, Postgres ${postgresMs.toFixed(2)} ms (${(postgresMs / sqliteMs).toFixed(2)}×)`,
    );

    workers.push(await spawnRealWorker({ token: TOKEN }), await spawnRealWorker({ token: TOKEN }));
    const urls = workers.map((worker) => worker.url);
    const shared = dataDir();
    const replicaEnv = async (database: string) => ({
      DATABASE_URL: database,
      NODETOOL_ASSETS_DIR: shared,
      NODETOOL_ASSETS_SHARED: '1',
      XDG_DATA_HOME: dataDir(),
      NODETOOL_RUN_LEASE_SECONDS: String(LEASE_SECONDS),
    });
    const oneDb = await postgres.createDatabase('bench_one');
    const one = [await startBenchServer(urls, TOKEN, 8, await replicaEnv(oneDb))];
    const alone = await throughput(one);
    await Promise.all(one.map((server) => server.stop()));
    const twoDb = await postgres.createDatabase('bench_two');
    const two = await Promise.all([startBenchServer(urls, TOKEN, 8, await replicaEnv(twoDb)), startBenchServer(urls, TOKEN, 8, await replicaEnv(twoDb))]);
    const together = await throughput(two);
    console.log(
      `throughput with two real workers, 8 lanes of a 0.2 s node: one replica ${alone.toFixed(2)} runs/s, two replicas ${together.toFixed(2)} runs/s (${(together / alone).toFixed(2)}×)`,
    );

    const interrupted: number[] = [];
    const led: number[] = [];
    let pair: BenchServer[] = two;
    for (let round = 0; round < KILLS; round++) {
      while (!(await leads(pair[0] as BenchServer)) && !(await leads(pair[1] as BenchServer))) await new Promise((resolve) => setTimeout(resolve, 50));
      const leader = (await leads(pair[0] as BenchServer)) ? (pair[0] as BenchServer) : (pair[1] as BenchServer);
      const survivor = leader === pair[0] ? (pair[1] as BenchServer) : (pair[0] as BenchServer);
      const times = await kill(leader, survivor);
      interrupted.push(times.interrupted);
      led.push(times.led);
      pair = [survivor, await startBenchServer(urls, TOKEN, 8, await replicaEnv(twoDb))];
    }
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      `after SIGKILL of the leading replica (lease ${LEASE_SECONDS} s, ${KILLS} kills): its run interrupted on the survivor p50 ${seconds(percentile(interrupted, 50))}, max ${seconds(Math.max(...interrupted))}; the survivor leading p50 ${seconds(percentile(led, 50))}, max ${seconds(Math.max(...led))}`,
    );
    await Promise.all(pair.map((server) => server.stop()));
  } finally {
    await Promise.all(workers.map((worker) => worker.kill()));
    await postgres.stop();
  }
}

await main();
process.exit(0);
