import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerRunEvent } from '@nt/api-contract';
import type { NodeMetadata } from '@nt/protocol';
import { GraphValidationError, loadWorkflow } from '@nt/runtime';
import { JobExistsError, TooManyRunsError, WorkerUnavailableError } from '../errors.js';
import type { JobStore, StoredJob } from '@nt/data';
import type { WorkerPool } from '../workers/workerPool.js';
import { JobManager } from './jobManager.js';

// The job manager over fakes of its store and its pool: the queue, cancel, shutdown, a worker lost
// while a run waits, a store that cannot write, in milliseconds (jobs.integration.ts and
// resilience.integration.ts drive the real worker).

const PYTHON_NODE: NodeMetadata = { node_type: 'fake.Work', outputs: [{ name: 'output', type: { type: 'any', optional: false, type_args: [] } }] };

/** The job store behind its interface, in a Map; `failWrites` makes finish() throw, as a full disk does. */
class FakeJobStore {
  readonly rows = new Map<string, StoredJob>();
  failWrites: string | null = null;
  async create(job: Pick<StoredJob, 'id' | 'workflow_id' | 'graph' | 'params'>, status: 'running' | 'queued' = 'running'): Promise<void> {
    this.rows.set(job.id, { ...job, status, result: null, error: null, created_at: new Date().toISOString(), finished_at: null });
  }
  async markRunning(id: string): Promise<void> {
    const row = this.rows.get(id);
    if (row) row.status = 'running';
  }
  async markQueued(id: string): Promise<void> {
    const row = this.rows.get(id);
    if (row) row.status = 'queued';
  }
  readonly workers = new Map<string, string>();
  async assignWorker(id: string, worker: string): Promise<void> {
    this.workers.set(id, worker);
  }
  async cancelUnheld(): Promise<undefined> {
    return undefined;
  }
  readonly waitingFor = new Map<string, string>();
  async markWaitingFor(id: string, group: string): Promise<void> {
    this.waitingFor.set(id, group);
  }
  async finish(id: string, status: StoredJob['status'], result: StoredJob['result'], error: string | null): Promise<StoredJob | null> {
    if (this.failWrites) throw new Error(this.failWrites);
    const row = this.rows.get(id);
    if (!row) return null;
    if (!row.finished_at) Object.assign(row, { status, result, error, finished_at: new Date().toISOString() });
    return { ...row };
  }
  async exists(id: string): Promise<boolean> {
    return this.rows.has(id);
  }
  async get(id: string): Promise<StoredJob | null> {
    return this.rows.get(id) ?? null;
  }
}

/** One worker offering fake.Work, as the manager sees a pool: `busy` (at its limit) or `gone` (disconnected). */
class FakePool extends EventEmitter {
  busy = false;
  gone = false;
  readonly member = { id: 'ws://w1', runsHere: 0 };
  connected() {
    return this.gone ? [] : [this.member];
  }
  members() {
    return [this.member];
  }
  status() {
    return { worker: { state: this.gone ? 'unreachable' : 'connected', error: null } };
  }
  catalog(): NodeMetadata[] {
    return this.gone ? [] : [PYTHON_NODE];
  }
  choose() {
    if (this.gone) return { chosen: null, eligible: false };
    return { chosen: this.busy ? null : this.member, eligible: true };
  }
  routerFor(): never {
    // Between the check and the run the worker went: what execute meets.
    throw new Error('the worker ws://w1 is not connected');
  }
  change(to: Partial<Pick<FakePool, 'busy' | 'gone'>>): void {
    Object.assign(this, to);
    this.emit('changed');
  }
}

const pythonRun = () => loadWorkflow({ nodes: [{ id: 'work', type: 'fake.Work', data: {} }], edges: [] });
const tsRun = () =>
  loadWorkflow({
    nodes: [
      { id: 'n', type: 'nodetool.constant.Integer', data: { value: 7 } },
      { id: 'out', type: 'nodetool.workflows.base_node.Preview', data: { name: 'n' } },
    ],
    edges: [{ source: 'n', sourceHandle: 'output', target: 'out', targetHandle: 'value' }],
  });

const managers: JobManager[] = [];
afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.shutdown(100);
});

function manage(options: Partial<ConstructorParameters<typeof JobManager>[2]> = {}) {
  const store = new FakeJobStore();
  const pool = new FakePool();
  const lines: string[] = [];
  const manager = new JobManager(store as unknown as JobStore, pool as unknown as WorkerPool, {
    maxConcurrentRuns: 4,
    log: (line) => lines.push(line),
    ...options,
  });
  managers.push(manager);
  const events: ServerRunEvent[] = [];
  manager.on('event', (event: ServerRunEvent) => events.push(event));
  const statuses = (jobId: string) =>
    events.filter((event) => event.type === 'job_update' && event.job_id === jobId).map((event) => (event as { status: string }).status);
  return { manager, store, pool, lines, events, statuses };
}

describe('the job manager', () => {
  it('runs a graph of the server’s own nodes at once, stores its outcome, and announces it after storing it', async () => {
    const { manager, store, statuses } = manage();
    const { jobId, done } = await manager.start(tsRun(), {}, 'job-ts');
    const job = await done;
    expect(job).toMatchObject({ id: jobId, status: 'completed', error: null });
    expect(job.result?.outputs).toEqual({ n: 7 });
    expect(store.rows.get('job-ts')?.status).toBe('completed');
    expect(statuses('job-ts').at(-1)).toBe('completed');
    await expect(manager.start(tsRun(), {}, 'job-ts')).rejects.toThrow(JobExistsError);
  });

  it('queues a run while its worker is full, and a cancel takes it out of the queue', async () => {
    const { manager, pool, store, statuses } = manage();
    pool.busy = true;
    const { done } = await manager.start(pythonRun(), {}, 'job-q');
    expect(manager.queuedCount).toBe(1);
    expect(store.rows.get('job-q')?.status).toBe('queued');
    expect(await manager.cancel('job-q')).toBe(true);
    expect(await done).toMatchObject({ status: 'cancelled', error: 'cancelled while queued' });
    expect(statuses('job-q')).toEqual(['queued', 'cancelled']);
    expect(await manager.cancel('job-q')).toBe(false);
  });

  it('refuses a run past NODETOOL_MAX_QUEUED_RUNS before anything is stored', async () => {
    const { manager, pool, store } = manage({ maxQueuedRuns: 1 });
    pool.busy = true;
    await manager.start(pythonRun(), {}, 'first');
    await expect(manager.start(pythonRun(), {}, 'second')).rejects.toThrow(TooManyRunsError);
    expect(store.rows.has('second')).toBe(false);
  });

  it('fails a queued run whose worker was lost before it could start, once NODETOOL_WORKER_WAIT_MS has passed, saying why', async () => {
    const { manager, pool, statuses } = manage({ workerWaitMs: 300 });
    pool.busy = true;
    const { done } = await manager.start(pythonRun(), {}, 'job-lost');
    pool.change({ gone: true });
    const job = await done;
    expect(job.status).toBe('failed');
    expect(job.error).toBe('no connected worker offered every node type of this run for 0 s (NODETOOL_WORKER_WAIT_MS)');
    expect(statuses('job-lost')).toEqual(['queued', 'failed']);
    expect(manager.queuedCount).toBe(0);
  });

  it('fails a run whose worker vanished between the check and the run, naming it, and takes the next one', async () => {
    const { manager, pool } = manage();
    pool.busy = true;
    const queued = await manager.start(pythonRun(), {}, 'job-next');
    pool.change({ busy: false });
    expect(await queued.done).toMatchObject({ status: 'failed', error: 'the worker ws://w1 is not connected' });
    expect(pool.member.runsHere).toBe(0);
    expect(manager.runningCount).toBe(0);
  });

  it('refuses a run that needs a worker when none is connected, before storing it', async () => {
    const { manager, pool, store } = manage();
    pool.gone = true;
    await expect(manager.start(pythonRun(), {}, 'job-none')).rejects.toThrow(WorkerUnavailableError);
    expect(store.rows.size).toBe(0);
  });

  it('interrupts what waits when the server shuts down, and takes no new run', async () => {
    const { manager, pool } = manage();
    pool.busy = true;
    const { done } = await manager.start(pythonRun(), {}, 'job-waiting');
    expect(await manager.shutdown(1_000)).toBe(0);
    expect(await done).toMatchObject({ status: 'interrupted', error: 'the server shut down before the run started; run it again' });
    await expect(manager.start(tsRun())).rejects.toThrow(new WorkerUnavailableError('the server is shutting down'));
  });

  it('reports a run failed, with both errors, when its outcome cannot be stored, and stores it with the next outcome', async () => {
    const { manager, store, lines } = manage();
    store.failWrites = 'database or disk is full';
    const lost = await (await manager.start(tsRun(), {}, 'job-unsaved')).done;
    expect(lost.status).toBe('failed');
    expect(lost.error).toBe('the run ended (completed) but its outcome could not be saved: database or disk is full');
    expect((await manager.get('job-unsaved'))?.status).toBe('failed');
    expect(lines.join('\n')).toMatch(/could not store the outcome of job-unsaved: database or disk is full/);
    store.failWrites = null;
    await (
      await manager.start(tsRun(), {}, 'job-saved')
    ).done;
    expect(store.rows.get('job-unsaved')?.finished_at).not.toBeNull();
  });
});

describe('runs waiting for a scaled group’s worker', () => {
  /** A scaled group `gpu` whose workers announced fake.Work; what its runs wait for is what `text` says. */
  const capacity = () => {
    const state = { pokes: 0, text: 'waiting for a worker: asking Vast.ai for offers, 0 s' };
    return {
      state,
      capacity: {
        match: (nodeTypes: string[], named?: string) =>
          nodeTypes.every((type) => type === 'fake.Work') && (named ?? 'gpu') === 'gpu' ? { group: 'gpu', catalog: [PYTHON_NODE] } : null,
        waitingFor: (group: string) => ({ group, stage: 'renting' as const, text: state.text, since: new Date().toISOString() }),
        poke: () => void state.pokes++,
        scales: (group: string) => group === 'gpu',
      },
    };
  };

  it('queues a run no connected worker can take instead of refusing it, says what it waits for, and starts it when one comes', async () => {
    const { capacity: fake, state } = capacity();
    const { manager, pool, events, statuses } = manage({ capacity: fake });
    pool.change({ gone: true });
    const { jobId, done } = await manager.start(pythonRun(), {}, 'job-waits');
    expect(state.pokes).toBe(1);
    expect(await manager.get(jobId)).toMatchObject({ status: 'queued', waiting: { group: 'gpu', stage: 'renting' } });
    expect(manager.capacityDemand()).toEqual([{ group: 'gpu', since: expect.any(Number) }]);
    state.text = 'waiting for a worker: renting 1× RTX 4090 on Vast.ai at $0.41/h (vast:7), booting, 3 s';
    manager.announceWaiting('gpu');
    expect(events.filter((event) => event.type === 'job_update').map((event) => (event as { waiting?: { text: string } }).waiting?.text)).toEqual([
      'waiting for a worker: asking Vast.ai for offers, 0 s',
      'waiting for a worker: renting 1× RTX 4090 on Vast.ai at $0.41/h (vast:7), booting, 3 s',
    ]);
    // The worker connects: the run starts on it (the fake pool's worker then vanishes, so it fails, not waits).
    pool.change({ gone: false });
    expect((await done).status).toBe('failed');
    expect(statuses(jobId)).toEqual(['queued', 'queued', 'failed']);
    expect(manager.capacityDemand()).toEqual([]);
  });

  it('refuses before queueing a graph the group’s kept catalog refuses, and a run no scaled group serves as before', async () => {
    const { capacity: fake, state } = capacity();
    const { manager, pool } = manage({ capacity: fake });
    pool.change({ gone: true });
    // fake.Work has no output "nope": the catalog the group's workers announced says so, before any rental.
    const wrongHandle = loadWorkflow({
      nodes: [
        { id: 'work', type: 'fake.Work', data: {} },
        { id: 'out', type: 'nodetool.workflows.base_node.Preview', data: { name: 'out' } },
      ],
      edges: [{ source: 'work', sourceHandle: 'nope', target: 'out', targetHandle: 'value' }],
    });
    await expect(manager.start(wrongHandle, {}, 'job-handle')).rejects.toThrow(GraphValidationError);
    const other = loadWorkflow({ nodes: [{ id: 'x', type: 'fake.Other', data: {} }], edges: [] });
    await expect(manager.start(other, {}, 'job-other')).rejects.toThrow(WorkerUnavailableError);
    await expect(manager.start(pythonRun(), {}, 'job-named', { group: 'cpu' })).rejects.toThrow(WorkerUnavailableError);
    expect(manager.queuedCount).toBe(0);
    expect(state.pokes).toBe(0);
  });

  it('fails the waiting runs of a group nothing will come for, saying why, and a run that waited rentWaitMs', async () => {
    const { capacity: fake } = capacity();
    const { manager, pool } = manage({ capacity: fake, rentWaitMs: 50 });
    pool.change({ gone: true });
    const capped = await manager.start(pythonRun(), {}, 'job-capped');
    manager.failWaiting('gpu', 'the rentals have cost $20.00 today (UTC)');
    expect(await capped.done).toMatchObject({
      status: 'failed',
      error: 'no worker will be rented for the group gpu: the rentals have cost $20.00 today (UTC)',
    });
    const late = await manager.start(pythonRun(), {}, 'job-late');
    const job = await late.done;
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/^no worker of the group gpu was ready within 0 s \(NODETOOL_RENT_WAIT_TIMEOUT\); last: waiting for a worker: asking Vast\.ai/);
  });
});
