import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ServerRunEvent } from '@nt/api-contract';
import { configFromEnv } from '../config.js';
import type { EventsSince } from '../jobs/runEventLog.js';
import { WsHub, type HubDeps } from './wsHub.js';

/** A WebSocket as the hub uses one: what it was sent, parsed. */
class FakeClient extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  terminated = false;
  readonly received: any[] = [];
  send(text: string): void {
    this.received.push(JSON.parse(text));
  }
  say(message: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(message)), false);
  }
  terminate(): void {
    this.terminated = true;
  }
  close(): void {
    this.readyState = 3;
  }
  last(): any {
    return this.received.at(-1);
  }
}

/** The runs, workers and rented workers as the hub sees them: emitters and the few calls it makes. */
function fakeApp(jobs: Record<string, { status: string }> = {}, held: Record<string, EventsSince> = {}) {
  const started: string[] = [];
  const runs = Object.assign(new EventEmitter(), {
    get: (id: string) => (jobs[id] ? { id, ...jobs[id] } : null),
    eventsSince: (id: string) => held[id] ?? null,
    cancel: (id: string) => id in jobs,
    start: (_workflow: unknown, _params: unknown, jobId: string) => {
      started.push(jobId);
      jobs[jobId] = { status: 'queued' };
      emit(runs, { type: 'job_update', job_id: jobId, status: 'queued' });
    },
  });
  const workers = Object.assign(new EventEmitter(), {
    status: () => ({ worker: { state: 'connected' }, pool: { connected: 1, total: 1, workers: [] } }),
  });
  const app = { runs, workers, rented: new EventEmitter(), config: configFromEnv({ NODETOOL_DB: ':memory:' }) };
  return { app: app as unknown as HubDeps, runs, started };
}

function emit(runs: EventEmitter, event: Record<string, unknown>): void {
  runs.emit('event', event as unknown as ServerRunEvent, JSON.stringify(event));
}

/** Commands are answered asynchronously (the database may be asked): what they sent has arrived after this. */
const commandsDone = () => new Promise((resolve) => setImmediate(resolve));

function connect(hub: WsHub): FakeClient {
  const client = new FakeClient();
  hub.accept(client as never);
  return client;
}

describe('the WebSocket hub', () => {
  it('greets a client with the worker status', async () => {
    const client = connect(new WsHub(fakeApp().app));
    expect(client.received).toEqual([expect.objectContaining({ type: 'worker_status', state: 'connected' })]);
  });

  it('runs run_job by its handler: the sender watches before the run starts, so its first event arrives before job_started', async () => {
    const { app, started } = fakeApp();
    const client = connect(new WsHub(app));
    client.say({ command: 'run_job', data: { graph: { nodes: [], edges: [] }, job_id: 'job-a' }, request_id: 'r1' });
    await commandsDone();
    expect(started).toEqual(['job-a']);
    expect(client.received.slice(1)).toEqual([
      { type: 'job_update', job_id: 'job-a', status: 'queued' },
      { type: 'job_started', job_id: 'job-a', request_id: 'r1' },
    ]);
  });

  it.each(['completed', 'failed', 'cancelled', 'interrupted'])('stops sending a run’s events once it ends %s', async (status) => {
    const { app, runs } = fakeApp({ 'job-b': { status: 'running' } });
    const client = connect(new WsHub(app));
    client.say({ command: 'subscribe', data: { job_id: 'job-b' } });
    await commandsDone();
    emit(runs, { type: 'job_update', job_id: 'job-b', status });
    emit(runs, { type: 'node_update', job_id: 'job-b', node_id: 'late' });
    expect(client.received.map((message) => message.type)).toEqual(['worker_status', 'subscribed', 'job_update']);
  });

  it('sends a run’s events only to the clients watching it', async () => {
    const { app, runs } = fakeApp({ mine: { status: 'running' }, theirs: { status: 'running' } });
    const hub = new WsHub(app);
    const me = connect(hub);
    const other = connect(hub);
    me.say({ command: 'subscribe', data: { job_id: 'mine' } });
    await commandsDone();
    other.say({ command: 'subscribe', data: { job_id: 'theirs' } });
    await commandsDone();
    emit(runs, { type: 'node_update', job_id: 'mine', node_id: 'a' });
    expect(me.last()).toMatchObject({ job_id: 'mine', node_id: 'a' });
    expect(other.last()).toMatchObject({ type: 'subscribed', job_id: 'theirs' });
    other.say({ command: 'unsubscribe', data: { job_id: 'theirs' } });
    await commandsDone();
    emit(runs, { type: 'node_update', job_id: 'theirs', node_id: 'b' });
    expect(other.last()).toEqual({ type: 'unsubscribed', job_id: 'theirs' });
  });

  it('answers a job it does not know as a 404 and an unknown command as a 400, each with the request_id', async () => {
    const client = connect(new WsHub(fakeApp().app));
    client.say({ command: 'subscribe', data: { job_id: 'nope' }, request_id: 'r2' });
    await commandsDone();
    expect(client.last()).toEqual({ type: 'error', status: 404, error: 'no job with id "nope"', request_id: 'r2' });
    client.say({ command: 'explode', data: {}, request_id: 'r3' });
    await commandsDone();
    expect(client.last()).toMatchObject({ type: 'error', status: 400, request_id: 'r3' });
    expect(client.last().error).toMatch(/unknown command "explode"; expected run_job, reconnect_job, subscribe, unsubscribe or cancel_job/);
    client.emit('message', Buffer.from('not json'), false);
    expect(client.last()).toMatchObject({ type: 'error', error: expect.stringMatching(/^invalid message/) });
  });

  it('resumes a run after a drop: job_resumed, the held events after last_seq, then live ones', async () => {
    const held = { texts: [JSON.stringify({ type: 'node_update', job_id: 'job-c', seq: 3 })], skipped: 0, lastSeq: 3, ended: false };
    const { app, runs } = fakeApp({ 'job-c': { status: 'running' } }, { 'job-c': held });
    const client = connect(new WsHub(app));
    client.say({ command: 'reconnect_job', data: { job_id: 'job-c', last_seq: 2 }, request_id: 'r4' });
    await commandsDone();
    emit(runs, { type: 'node_update', job_id: 'job-c', seq: 4 });
    expect(client.received.slice(1)).toEqual([
      { type: 'job_resumed', job_id: 'job-c', last_seq: 3, skipped: 0, request_id: 'r4' },
      { type: 'node_update', job_id: 'job-c', seq: 3 },
      { type: 'node_update', job_id: 'job-c', seq: 4 },
    ]);
  });

  it('says whether a cancel found the run', async () => {
    const client = connect(new WsHub(fakeApp({ 'job-d': { status: 'running' } }).app));
    client.say({ command: 'cancel_job', data: { job_id: 'job-d' } });
    await commandsDone();
    client.say({ command: 'cancel_job', data: { job_id: 'gone' } });
    await commandsDone();
    expect(client.received.slice(1)).toEqual([
      { type: 'cancel_result', job_id: 'job-d', cancelled: true },
      { type: 'cancel_result', job_id: 'gone', cancelled: false },
    ]);
  });

  it('drops a client that stopped reading once more than NODETOOL_WS_MAX_BUFFERED_BYTES wait for it', async () => {
    const { app, runs } = fakeApp({ 'job-e': { status: 'running' } });
    const lines: string[] = [];
    const client = connect(new WsHub(app, (line) => lines.push(line)));
    client.say({ command: 'subscribe', data: { job_id: 'job-e' } });
    await commandsDone();
    client.bufferedAmount = app.config.wsMaxBufferedBytes + 1;
    emit(runs, { type: 'node_update', job_id: 'job-e' });
    expect(client.terminated).toBe(true);
    expect(lines.join('\n')).toMatch(/dropped a WebSocket client that stopped reading/);
  });
});
