import { afterEach, describe, expect, it } from 'vitest';
import { secretPolicyFromEnv } from '@nt/runtime';
import { startFakeWorker, type FakeWorker } from '@nt/test-fixtures';
import { WorkerPool } from './workerPool.js';

// The pool over fake workers in Node (the real worker's token gate, enough of the protocol): who is
// connected, what the pool offers, where a run goes, where its nodes go when its worker is lost,
// workers joining and leaving, in milliseconds (resilience.integration.ts drives real workers).

const TOKEN = 'pool-spec-token-5c1e9a2b';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakes(count: number): Promise<FakeWorker[]> {
  const workers = await Promise.all(Array.from({ length: count }, () => startFakeWorker({ token: TOKEN })));
  for (const worker of workers) cleanups.push(() => worker.stop());
  return workers;
}

async function poolOf(workers: FakeWorker[], limits: Array<number | undefined> = []) {
  const lines: string[] = [];
  const pool = new WorkerPool(
    {
      workers: workers.map((worker, index) => ({
        id: worker.url,
        url: worker.url,
        labels: {},
        ...(limits[index] ? { maxConcurrentRuns: limits[index] } : {}),
      })),
      discovery: null,
    },
    { workerToken: TOKEN, keepalive: false },
    {
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
      defaultKeepAliveMs: 0,
      secretPolicy: secretPolicyFromEnv({}),
      log: (line) => lines.push(line),
      localWorker: false,
    },
  );
  cleanups.push(() => pool.stop());
  let changes = 0;
  pool.on('changed', () => changes++);
  await pool.start();
  await until(() => pool.connected().length === workers.length);
  return { pool, lines, changes: () => changes };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !condition(); await new Promise((resolve) => setTimeout(resolve, 10)))
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
}

const needs = { nodeTypes: ['fake.Echo'], models: [] };

describe('the worker pool', () => {
  it('connects every worker, offers what they offer, and says so at a glance', async () => {
    const workers = await fakes(2);
    const { pool } = await poolOf(workers);
    const { worker, pool: health } = pool.status();
    expect(health).toMatchObject({ connected: 2, total: 2 });
    expect(worker).toMatchObject({ state: 'connected', target: '2 of 2 workers connected' });
    expect(pool.catalog().map((node) => node.node_type)).toContain('fake.Echo');
  });

  it('starts a run on the least busy worker with room, and makes it wait when every able one is at its limit', async () => {
    const workers = await fakes(2);
    const { pool } = await poolOf(workers, [1, 1]);
    const [first, second] = pool.members();
    first!.runsHere = 1;
    expect(pool.choose(needs)).toEqual({ chosen: second, eligible: true });
    second!.runsHere = 1;
    expect(pool.choose(needs)).toEqual({ chosen: null, eligible: true });
    expect(pool.choose({ nodeTypes: ['huggingface.Nothing'], models: [] })).toEqual({ chosen: null, eligible: false });
  });

  it('routes a node to another worker offering its type when the run’s own worker is lost, and names a lost home', async () => {
    const workers = await fakes(2);
    const { pool } = await poolOf(workers);
    const [home, other] = pool.members();
    const router = pool.routerFor(home!);
    expect(router.forNode('fake.Echo')?.name).toBe(home!.id);
    await workers[0]!.stop();
    await until(() => !home!.connected);
    expect(router.forNode('fake.Echo')?.name).toBe(other!.id);
    expect(router.forNode('huggingface.Nothing')).toBeNull();
    expect(() => pool.routerFor(home!)).toThrow(`the worker ${home!.id} is not connected`);
    expect(pool.status().worker).toMatchObject({ state: 'connected', target: '1 of 2 workers connected' });
  });

  it('takes a worker that joins (attached) and lets one leave (detached), telling the queue each time', async () => {
    const [first, joining] = await fakes(2);
    const { pool, lines, changes } = await poolOf([first!]);
    const before = changes();
    await pool.attach({ id: joining!.url, url: joining!.url, labels: { rented: 'a100' } });
    await until(() => pool.connected().length === 2);
    expect(changes()).toBeGreaterThan(before);
    expect(await pool.detach(joining!.url)).toBe(true);
    expect(await pool.detach(joining!.url)).toBe(false);
    expect(pool.members().map((member) => member.id)).toEqual([first!.url]);
    expect(lines).toEqual(expect.arrayContaining([`worker ${joining!.url} joined the pool (attached)`, `worker ${joining!.url} left the pool (detached)`]));
  });
});
