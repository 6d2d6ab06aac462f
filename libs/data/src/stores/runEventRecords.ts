import { sql } from 'kysely';
import type { Db } from '../openDatabase.js';

/**
 * Each running run's latest events, in the database (several replicas): a client reconnecting to any
 * replica is replayed what it missed, and an event too large for a notification is fetched from here by
 * its row id. Bounded like the in-memory log: the newest `keep` per run.
 */
export class RunEventRecords {
  constructor(private readonly db: Db) {}

  /** Keeps an event; answers its row id. */
  async add(jobId: string, seq: number, event: string): Promise<number> {
    const row = await this.db.query.insertInto('run_events').values({ job_id: jobId, seq, event }).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** Keeps events in one statement; answers their row ids, in order. */
  async addAll(events: ReadonlyArray<{ jobId: string; seq: number; event: string }>): Promise<number[]> {
    if (!events.length) return [];
    const rows = await this.db.query
      .insertInto('run_events')
      .values(events.map((entry) => ({ job_id: entry.jobId, seq: entry.seq, event: entry.event })))
      .returning('id')
      .execute();
    return rows.map((row) => Number(row.id));
  }

  async byId(id: number): Promise<string | null> {
    const row = await this.db.query.selectFrom('run_events').select('event').where('id', '=', id).executeTakeFirst();
    return row?.event ?? null;
  }

  /** The events of a run after `afterSeq`, oldest first. */
  async since(jobId: string, afterSeq: number): Promise<Array<{ seq: number; event: string }>> {
    return this.db.query.selectFrom('run_events').select(['seq', 'event']).where('job_id', '=', jobId).where('seq', '>', afterSeq).orderBy('seq').execute();
  }

  /** The newest seq kept for a run, or null when none is. */
  async lastSeq(jobId: string): Promise<number | null> {
    const row = await this.db.query
      .selectFrom('run_events')
      .select(({ fn }) => fn.max<number>('seq').as('newest'))
      .where('job_id', '=', jobId)
      .executeTakeFirst();
    return row?.newest === null || row?.newest === undefined ? null : Number(row.newest);
  }

  /** The oldest seq still kept for a run, or null when none is. */
  async oldestSeq(jobId: string): Promise<number | null> {
    const row = await this.db.query
      .selectFrom('run_events')
      .select(({ fn }) => fn.min<number>('seq').as('oldest'))
      .where('job_id', '=', jobId)
      .executeTakeFirst();
    return row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest);
  }

  /** Keeps only the newest `keep` events of a run. */
  async trim(jobId: string, keep: number): Promise<void> {
    await this.db.query
      .deleteFrom('run_events')
      .where('job_id', '=', jobId)
      .where('seq', '<=', (eb) =>
        eb
          .selectFrom('run_events')
          .select(sql<number>`MAX(seq) - ${keep}`.as('cut'))
          .where('job_id', '=', jobId),
      )
      .execute();
  }

  /** Forgets the events of runs that ended before `before` (ISO time). */
  async forgetEndedBefore(before: string): Promise<void> {
    await this.db.query
      .deleteFrom('run_events')
      .where('job_id', 'in', (eb) => eb.selectFrom('jobs').select('jobs.id').where('jobs.finished_at', '<', before))
      .execute();
  }

  /** Forgets a run's events (retention, or a run ended long ago). */
  async forget(jobIds: readonly string[]): Promise<void> {
    if (jobIds.length)
      await this.db.query
        .deleteFrom('run_events')
        .where('job_id', 'in', [...jobIds])
        .execute();
  }
}
