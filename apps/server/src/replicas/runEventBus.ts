import { EventEmitter } from 'node:events';
import pg from 'pg';
import { isFinalJobStatus, type RunWaiting, type ServerRunEvent } from '@nt/api-contract';
import { JobStore, RunEventRecords, type Db } from '@nt/data';
import type { EventsSince } from '../jobs/runEventLog.js';

/** The channels: every run event of every replica; requests to cancel a run wherever it runs, and the leader's scaler news. */
const EVENTS = 'nodetool_run_events';
const CONTROL = 'nodetool_run_control';
/** NOTIFY carries under 8,000 bytes: an event past this goes by its row id, read back from run_events. */
const INLINE_BYTES = 7_000;
/** How often events of runs ended long ago leave the table. */
const SWEEP_MS = 60_000;

export interface RunEventBusEvents {
  /** An event of a run another replica runs. */
  event: [event: ServerRunEvent, text: string];
  /** Another replica was asked to cancel a run: this replica cancels it if it runs it. */
  cancel: [jobId: string];
  /** The leader's scaler about a group: what its waiting runs wait for now, or why nothing will come. */
  scaler: [news: ScalerNews];
}

/** What the leader's scaler tells the other replicas about a group their runs may wait for. */
export type ScalerNews = { group: string; waiting: RunWaiting } | { group: string; hopeless: string };

interface Pending {
  event: ServerRunEvent;
  text: string;
}

/**
 * Run events across replicas, on Postgres's own LISTEN/NOTIFY: every event this replica emits is kept in
 * `run_events` (each run's newest `keep`, so a client may reconnect to any replica) and announced;
 * every other replica's events arrive here, for the clients watching those runs on this one. Events of
 * one turn go out together (one insert, one notify statement), in the order they were emitted.
 */
export class RunEventBus extends EventEmitter<RunEventBusEvents> {
  private readonly records: RunEventRecords;
  private readonly jobs: JobStore;
  private listener: pg.Client | null = null;
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Characters kept per run since its last trim: a run of large events is trimmed before it passes its size. */
  private readonly untrimmed = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly origin: string,
    private readonly options: { keep: { events: number; bytes: number }; keepEndedMs: number; log: (line: string) => void },
  ) {
    super();
    this.records = new RunEventRecords(db);
    this.jobs = new JobStore(db);
  }

  async start(): Promise<void> {
    await this.listen();
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await this.flushed();
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }

  /** An event this replica emitted: kept and announced, after the ones before it. */
  publish(event: ServerRunEvent, text: string): void {
    this.queue.push({ event, text });
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  /** Waits until every event published so far is kept and announced. */
  async flushed(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Asks every replica to cancel a run (the one running it does). */
  async requestCancel(jobId: string): Promise<void> {
    await this.db.pool?.query('SELECT pg_notify($1, $2)', [CONTROL, JSON.stringify({ o: this.origin, cancel: jobId })]);
  }

  /** Tells every other replica what the scaler (this replica leads) says about a group. */
  async publishScaler(news: ScalerNews): Promise<void> {
    await this.db.pool?.query('SELECT pg_notify($1, $2)', [CONTROL, JSON.stringify({ o: this.origin, scaler: news })]);
  }

  /** A run's events after `lastSeq` as the table keeps them, for a client reconnecting here; null when none are kept. */
  async since(jobId: string, lastSeq: number): Promise<EventsSince | null> {
    await this.flushed();
    const oldest = await this.records.oldestSeq(jobId);
    if (oldest === null) return null;
    const rows = await this.records.since(jobId, lastSeq);
    const job = await this.jobs.get(jobId);
    const last = rows.at(-1)?.seq ?? lastSeq;
    return {
      texts: rows.map((row) => row.event),
      skipped: Math.max(0, oldest - (lastSeq + 1)),
      lastSeq: Math.max(last, lastSeq),
      ended: job?.finished_at != null,
    };
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0);
        await this.announce(batch);
      }
    } catch (error) {
      this.options.log(`run events could not be shared with the other replicas: ${(error as Error).message}`);
    } finally {
      this.flushing = null;
    }
  }

  private async announce(batch: Pending[]): Promise<void> {
    const ids = await this.records.addAll(batch.map(({ event, text }) => ({ jobId: event.job_id, seq: event.seq, event: text })));
    const payloads = batch.map(({ text }, index) =>
      JSON.stringify(Buffer.byteLength(text) <= INLINE_BYTES ? { o: this.origin, t: text } : { o: this.origin, id: ids[index] }),
    );
    await this.db.pool?.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS p(payload, n) ORDER BY n', [EVENTS, payloads]);
    // Each run keeps its newest events only: trimmed every 100 events, every eighth of its size, and when it ends.
    const jobs = new Set<string>();
    for (const { event, text } of batch) {
      const held = (this.untrimmed.get(event.job_id) ?? 0) + text.length;
      const ended = event.type === 'job_update' && isFinalJobStatus(event.status);
      if (event.seq % 100 === 0 || ended || held >= this.options.keep.bytes / 8) jobs.add(event.job_id);
      this.untrimmed.set(event.job_id, held);
      if (ended) this.untrimmed.delete(event.job_id);
    }
    for (const jobId of jobs) {
      await this.records.trim(jobId, this.options.keep);
      if (this.untrimmed.has(jobId)) this.untrimmed.set(jobId, 0);
    }
  }

  private async listen(): Promise<void> {
    const target = this.db.target;
    if (target.kind !== 'postgres' || this.stopped) return;
    const client = new pg.Client({ connectionString: target.url, keepAlive: true });
    client.on('notification', (message) => void this.receive(message.channel, message.payload ?? ''));
    client.on('error', (error: Error) => {
      this.options.log(`run events: the listening connection failed (${error.message}); listening again`);
      this.listener = null;
      void client.end().catch(() => undefined);
      setTimeout(() => void this.listen().catch(() => undefined), 1_000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${EVENTS}`);
    await client.query(`LISTEN ${CONTROL}`);
    this.listener = client;
  }

  private async receive(channel: string, payload: string): Promise<void> {
    try {
      const message = JSON.parse(payload) as { o: string; t?: string; id?: number; cancel?: string; scaler?: ScalerNews };
      if (message.o === this.origin) return;
      if (channel === CONTROL) {
        if (message.cancel) this.emit('cancel', message.cancel);
        if (message.scaler) this.emit('scaler', message.scaler);
        return;
      }
      const text = message.t ?? (message.id !== undefined ? await this.records.byId(message.id) : null);
      if (text) this.emit('event', JSON.parse(text) as ServerRunEvent, text);
    } catch (error) {
      this.options.log(`run events: a notification could not be read: ${(error as Error).message}`);
    }
  }

  /** Events of runs that ended more than keepEndedMs ago leave the table (a late reconnect gets the job record instead). */
  private async sweep(): Promise<void> {
    try {
      await this.records.forgetEndedBefore(new Date(Date.now() - this.options.keepEndedMs).toISOString());
    } catch (error) {
      this.options.log(`run events: the sweep failed: ${(error as Error).message}`);
    }
  }
}
