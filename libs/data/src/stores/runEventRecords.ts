import { sql } from 'kysely';
import type { Db } from '../openDatabase.js';

/**
 * Each running run's latest events, in the database (several replicas): a client reconnecting to any
 * replica is replayed what it missed, and an event too large for a notification is fetched from here by
 * its row id. Bounded like the in-memory log: per run, the newest events within a count and a size.
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

  /**
   * Keeps only a run's newest events: at most `keep.events` of them, together at most `keep.bytes`
   * characters (the newest stays, whatever its size), as NODETOOL_RUN_EVENT_BUFFER(_BYTES) bound the log
   * in memory. One statement on either database (a window over the run's rows, newest first).
   */
  async trim(jobId: string, keep: { events: number; bytes: number }): Promise<void> {
    await sql`DELETE FROM run_events WHERE id IN (
      SELECT id FROM (
        SELECT id,
          ROW_NUMBER() OVER (ORDER BY seq DESC) AS newer,
          SUM(LENGTH(event)) OVER (ORDER BY seq DESC ROWS UNBOUNDED PRECEDING) AS held
        FROM run_events WHERE job_id = ${jobId}
      ) AS ranked
      WHERE ranked.newer > 1 AND (ranked.newer > ${keep.events} OR ranked.held > ${keep.bytes})
    )`.execute(this.db.query);
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
