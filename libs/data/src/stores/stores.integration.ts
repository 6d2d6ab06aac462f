import { parseProfile } from '@nt/provisioning';
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../openDatabase.js';
import { DATABASE_KINDS, stopDatabases } from '../testing/bothDatabases.js';
import { AssetRecords } from './assetRecords.js';
import { JobStore } from './jobStore.js';
import { ProfileCatalogs } from './profileCatalogs.js';
import { RentedStore, type RentedWorker } from './rentedStore.js';
import { RunEventRecords } from './runEventRecords.js';
import { SessionRecords } from './sessionRecords.js';
import { WorkflowStore } from './workflowStore.js';

// Every store, the same calls and the same answers on both databases: one typed query each, no copy per database.

afterAll(stopDatabases);
const open: Db[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
});

const GRAPH = { nodes: [{ id: 'n', type: 'nodetool.constant.Integer', data: { value: 7 } }], edges: [] };
const PROFILE = parseProfile({ name: 'a100', provider: 'runpod', gpu_type: 'NVIDIA A100 80GB PCIe', image: 'img:1', max_price_per_hour: 2 });
const WORKER: RentedWorker = {
  id: 'runpod:pod1',
  provider: 'runpod',
  instanceId: 'pod1',
  name: 'nodetool-a100-abc',
  profile: 'a100',
  state: 'provisioning',
  stage: 'provisioning',
  gpu: 'A100',
  pricePerHour: 1.5,
  tokenFile: '',
  tokenSealed: 'v1:sealed',
  tlsFingerprint: null,
  attached: false,
  attachRequested: true,
  createdAt: '2026-12-01T00:00:00.000Z',
  runningSince: 1_764_547_200_000,
  spentBefore: 0,
  lastActivity: 1_764_547_200_000,
  error: null,
};

describe.each(DATABASE_KINDS)('the stores on $kind', ({ fresh }) => {
  const database = async () => {
    const db = await openDatabase(await fresh());
    open.push(db);
    return db;
  };

  it('keep jobs: created, finished once, listed newest first; runs left live by a dead process are interrupted', async () => {
    const jobs = new JobStore(await database());
    await jobs.create({ id: 'a', workflow_id: null, graph: GRAPH, params: { x: 1 } }, 'queued');
    await jobs.create({ id: 'b', workflow_id: 'w', graph: GRAPH, params: {} });
    expect(await jobs.exists('a')).toBe(true);
    expect(await jobs.exists('nope')).toBe(false);
    await jobs.markRunning('a');
    const result = { outputs: { n: 7 }, nodes: {}, duration_ms: 3 };
    expect(await jobs.finish('a', 'completed', result, null)).toMatchObject({ id: 'a', status: 'completed', result, params: { x: 1 }, graph: GRAPH });
    // An outcome is final: a second one changes nothing, and a late markRunning does not revive it.
    expect(await jobs.finish('a', 'failed', null, 'late')).toMatchObject({ status: 'completed', error: null });
    await jobs.markRunning('a');
    expect((await jobs.get('a'))?.status).toBe('completed');
    expect((await jobs.list()).map((job) => job.id).sort()).toEqual(['a', 'b']);
    expect(await jobs.interruptLeftovers()).toBe(1);
    expect(await jobs.get('b')).toMatchObject({ status: 'interrupted', error: expect.stringMatching(/the server stopped during the run/) });
  });

  it('find the runs retention deletes, by age and by count, and delete them with what they held', async () => {
    const db = await database();
    const jobs = new JobStore(db);
    const assets = new AssetRecords(db);
    for (const id of ['r1', 'r2', 'r3']) {
      await jobs.create({ id, workflow_id: null, graph: GRAPH, params: {} });
      await jobs.finish(id, 'completed', null, null);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await jobs.create({ id: 'live', workflow_id: null, graph: GRAPH, params: {} });
    expect(await jobs.endedBeyondNewest(1)).toEqual(['r2', 'r1']);
    expect((await jobs.endedBefore(new Date(Date.now() + 1000).toISOString())).sort()).toEqual(['r1', 'r2', 'r3']);
    expect(await jobs.createdAtOfNewest(5)).toBeUndefined();
    await assets.keep(
      { id: 'x'.repeat(64), content_type: 'image/png', size: 10, location: 'local:x', created_at: new Date().toISOString() },
      { jobId: 'r1', nodeId: 'n', name: 'output' },
    );
    await jobs.forget(['r1', 'r2']);
    expect(await jobs.exists('r1')).toBe(false);
    expect((await assets.unheld()).map((asset) => asset.id)).toEqual(['x'.repeat(64)]);
  });

  it('keep workflows by id: saved, replaced, listed with their node count, deleted', async () => {
    const workflows = new WorkflowStore(await database());
    await workflows.save({ id: 'w', name: 'first' }, { name: 'first', graph: GRAPH, description: 'd' });
    const replaced = await workflows.save({ id: 'w', name: 'second' }, { name: 'second', graph: { nodes: [], edges: [] } });
    expect(replaced).toMatchObject({ id: 'w', name: 'second', description: '', document: { name: 'second' } });
    expect(await workflows.list()).toEqual([{ id: 'w', name: 'second', description: '', node_count: 0, updated_at: replaced.updated_at }]);
    expect(await workflows.delete('w')).toBe(true);
    expect(await workflows.delete('w')).toBe(false);
    expect(await workflows.get('w')).toBeNull();
  });

  it('keep profiles, rented workers, their billing periods and the guard’s events', async () => {
    const rented = new RentedStore(await database());
    expect(await rented.saveProfile(PROFILE)).toBe('created');
    expect(await rented.saveProfile(PROFILE)).toBe('updated');
    expect((await rented.profiles()).map((profile) => profile.name)).toEqual(['a100']);
    await rented.insert(WORKER);
    expect(await rented.worker(WORKER.id)).toEqual(WORKER);
    const updated = await rented.update(WORKER.id, { state: 'running', attached: true, pricePerHour: 1.25, lastActivity: 1_764_550_000_000 });
    expect(updated).toMatchObject({ state: 'running', attached: true, pricePerHour: 1.25, lastActivity: 1_764_550_000_000 });
    await rented.billingFrom(WORKER, 1.5, 1_000);
    await rented.billingFrom(WORKER, 1.25, 2_000);
    await rented.billingEnds(WORKER.id, 3_000);
    expect(await rented.billingSince(0)).toEqual([
      { profile: 'a100', pricePerHour: 1.5, startedAt: 1_000, endedAt: 2_000 },
      { profile: 'a100', pricePerHour: 1.25, startedAt: 2_000, endedAt: 3_000 },
    ]);
    expect(await rented.billingSince(2_500)).toHaveLength(1);
    const first = await rented.addEvent(WORKER.id, 'destroy', 'create-failed', 'boom');
    const second = await rented.addEvent('group:gpu', 'refuse', 'daily-cap', 'cap');
    expect(second.id).toBeGreaterThan(first.id);
    expect((await rented.events()).map((event) => event.id)).toEqual([second.id, first.id]);
    expect(await rented.failedBringUps('a100', Date.now() - 60_000)).toEqual([{ at: Date.parse(first.at), detail: 'boom' }]);
    await rented.update(WORKER.id, { state: 'destroyed' });
    expect(await rented.liveWorkers()).toEqual([]);
    expect(await rented.deleteProfile('a100')).toBe(true);
  });

  it('keep assets and who holds them; an asset nobody holds goes; uploads a saved workflow names stay', async () => {
    const db = await database();
    const assets = new AssetRecords(db);
    const workflows = new WorkflowStore(db);
    const id = (n: number) => String(n).repeat(64);
    const old = '2026-01-01T00:00:00.000Z';
    for (const n of [1, 2])
      await assets.keep(
        { id: id(n), content_type: 'image/png', size: 1_000 * n, location: `local:${n}`, created_at: old },
        { jobId: null, nodeId: null, name: 'upload' },
      );
    await assets.keep(
      { id: id(1), content_type: 'image/png', size: 1_000, location: 'local:again', created_at: old },
      { jobId: null, nodeId: null, name: 'again' },
    );
    expect(await assets.get(id(1))).toMatchObject({ location: 'local:1' });
    expect(await assets.totals()).toEqual({ count: 2, bytes: 3_000 });
    await workflows.save({ id: 'w', name: 'w' }, { graph: { nodes: [{ id: 'img', type: 'x', data: { image: { type: 'asset', id: id(2) } } }], edges: [] } });
    expect(await assets.releaseUploadsBefore('2026-06-01T00:00:00.000Z')).toBe(2);
    expect((await assets.unheld()).map((asset) => asset.id)).toEqual([id(1)]);
    expect(await assets.forget(id(2))).toBe(false);
    expect(await assets.forget(id(1))).toBe(true);
    expect(await assets.totals()).toEqual({ count: 1, bytes: 2_000 });
  });

  it('count the runs per worker other replicas execute, and the rentals being made until they end or lapse', async () => {
    const db = await database();
    const jobs = new JobStore(db);
    const lease = (owner: string) => ({ owner, until: Date.now() + 60_000 });
    await jobs.create({ id: 'mine', workflow_id: null, graph: GRAPH, params: {} }, 'running', lease('a'));
    await jobs.create({ id: 'theirs1', workflow_id: null, graph: GRAPH, params: {} }, 'running', lease('b'));
    await jobs.create({ id: 'theirs2', workflow_id: null, graph: GRAPH, params: {} }, 'running', lease('b'));
    await jobs.create({ id: 'ended', workflow_id: null, graph: GRAPH, params: {} }, 'running', lease('b'));
    for (const [id, worker] of [
      ['mine', 'w1'],
      ['theirs1', 'w1'],
      ['theirs2', 'w2'],
      ['ended', 'w2'],
    ])
      await jobs.assignWorker(id as string, worker as string);
    await jobs.finish('ended', 'completed', null, null);
    expect(Object.fromEntries(await jobs.runsPerWorkerElsewhere('a'))).toEqual({ w1: 1, w2: 1 });
    expect(Object.fromEntries(await jobs.runsPerWorkerElsewhere('b'))).toEqual({ w1: 1 });
    // A run back in the queue is on no worker.
    await jobs.markQueued('theirs2');
    expect(Object.fromEntries(await jobs.runsPerWorkerElsewhere('a'))).toEqual({ w1: 1 });
  });

  it('reserve rentals one at a time across replicas: of eight for the last place one passes, and a dead one’s lapses', async () => {
    const target = await fresh();
    // Two replicas are two connections to Postgres; SQLite has one server process, one connection, one writer.
    const one = await openDatabase(target);
    const two = target.kind === 'postgres' ? await openDatabase(target) : one;
    open.push(...new Set([one, two]));
    const [first, second] = [new RentedStore(one), new RentedStore(two)];
    const later = Date.now() + 60_000;
    // At most two, counting the live workers and every rental under way.
    const capOfTwo = (live: RentedWorker[], inProgress: string[]) =>
      live.length + inProgress.length >= 2 ? `full: ${live.length} + ${inProgress.length}` : null;
    await first.insert(WORKER);
    // Connections open beforehand, so the eight below do race each other rather than each other's connecting.
    await Promise.all([one, two].flatMap((db) => Array.from({ length: 4 }, () => sql`SELECT 1`.execute(db.query))));
    // Eight at once from both replicas for the one place left: one passes, the others see it.
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, index) => (index % 2 ? second : first).reserveRental({ id: `r${index}`, profile: 'a100', until: later }, capOfTwo)),
    );
    expect(answers.filter((answer) => answer === null)).toHaveLength(1);
    expect(new Set(answers.filter((answer) => answer !== null))).toEqual(new Set(['full: 1 + 1']));
    // Ended, its place is free again; one whose replica died (its time passed) no longer counts.
    await first.endRental(`r${answers.indexOf(null)}`);
    expect(await second.reserveRental({ id: 'short', profile: 'a100', until: Date.now() + 200 }, capOfTwo)).toBeNull();
    expect(await first.reserveRental({ id: 'next', profile: 'a100', until: later }, capOfTwo)).toBe('full: 1 + 1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await first.reserveRental({ id: 'next', profile: 'a100', until: later }, capOfTwo)).toBeNull();
  });

  it('keep each run’s newest events within a count and a size, the newest always', async () => {
    const events = new RunEventRecords(await database());
    const tenChars = (seq: number) => `{"s":${String(seq).padStart(4, '0')}}`.padEnd(10, ' ');
    await events.addAll(Array.from({ length: 10 }, (_, index) => ({ jobId: 'run', seq: index + 1, event: tenChars(index + 1) })));
    await events.add('other', 1, tenChars(1));
    await events.trim('run', { events: 5, bytes: 1_000 });
    expect((await events.since('run', 0)).map((row) => row.seq)).toEqual([6, 7, 8, 9, 10]);
    await events.trim('run', { events: 100, bytes: 25 });
    expect((await events.since('run', 0)).map((row) => row.seq)).toEqual([9, 10]);
    await events.add('run', 11, 'x'.repeat(500));
    await events.trim('run', { events: 100, bytes: 25 });
    expect((await events.since('run', 0)).map((row) => row.seq)).toEqual([11]);
    // Another run's events are its own.
    expect(await events.oldestSeq('other')).toBe(1);
  });

  it('keep sessions until they expire, and catalogs per profile', async () => {
    const db = await database();
    const sessions = new SessionRecords(db);
    await sessions.insert('s1', 'digest', new Date().toISOString(), 5_000);
    expect(await sessions.get('s1')).toEqual({ secretDigest: 'digest', expiresAt: 5_000 });
    expect(await sessions.purgeExpired(4_999)).toBe(0);
    expect(await sessions.purgeExpired(5_000)).toBe(1);
    const catalogs = new ProfileCatalogs(db);
    const nodes = [{ node_type: 'hf.X', outputs: [] }];
    await catalogs.remember('a100', nodes);
    expect(await new ProfileCatalogs(db).get('a100')).toEqual(nodes);
    await catalogs.forget('a100');
    expect(await catalogs.get('a100')).toBeNull();
  });
});
