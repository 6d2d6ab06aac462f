import { FINAL_JOB_STATUSES, LIVE_JOB_STATUSES, type JobRecord, type ServerJobStatus } from '@nt/api-contract';
import type { Selectable } from 'kysely';
import type { Db } from '../openDatabase.js';
import type { JobsTable } from '../schema.js';

export type StoredJobStatus = ServerJobStatus;

/** A job row: the contract's JobRecord without the live per-node states. */
export type StoredJob = Omit<JobRecord, 'nodes' | 'waiting'>;

/** More rows than any database holds: "no limit" where SQL wants one with an offset. */
const ALL = Number.MAX_SAFE_INTEGER;

/** The jobs table: every run, its graph and parameters, and its outcome once it ended. */
export class JobStore {
  constructor(private readonly db: Db) {}

  /**
   * Records a job that starts running now, or waits in the queue; with a lease, the replica `owner` holds
   * it until `until` (ms) unless it renews the lease.
   */
  async create(
    job: Pick<StoredJob, 'id' | 'workflow_id' | 'graph' | 'params'>,
    status: 'running' | 'queued' = 'running',
    lease?: { owner: string; until: number },
    spec?: string,
  ): Promise<void> {
    await this.db.query
      .insertInto('jobs')
      .values({
        id: job.id,
        workflow_id: job.workflow_id,
        status,
        graph: JSON.stringify(job.graph),
        params: JSON.stringify(job.params),
        created_at: new Date().toISOString(),
        owner: lease?.owner ?? null,
        lease_until: lease?.until ?? null,
        run_spec: spec ?? null,
      })
      .execute();
  }

  /** The replica `owner` is alive: the runs it holds stay its own until `until` (ms). */
  async renewLeases(owner: string, until: number): Promise<number> {
    const result = await this.db.query
      .updateTable('jobs')
      .set({ lease_until: until })
      .where('owner', '=', owner)
      .where('finished_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * Runs whose replica stopped renewing their lease before `now` (killed, cut off): a running one is
   * interrupted, a queued one is let go for another replica to take. One statement each, so of two
   * replicas that look at once only one reports each. Answers the interrupted ones.
   */
  async interruptExpired(now: number): Promise<Array<{ id: string; workflowId: string | null; owner: string | null; error: string }>> {
    await this.db.query
      .updateTable('jobs')
      .set({ owner: null, lease_until: null })
      .where('finished_at', 'is', null)
      .where('status', '=', 'queued')
      .where('lease_until', '<', now)
      .execute();
    const error = 'the server replica running it stopped (it was killed or lost its database) and its lease ran out; run it again';
    const rows = await this.db.query
      .updateTable('jobs')
      .set({ status: 'interrupted', error, finished_at: new Date(now).toISOString() })
      .where('finished_at', 'is', null)
      .where('owner', 'is not', null)
      .where('lease_until', '<', now)
      .returning(['id', 'workflow_id', 'owner'])
      .execute();
    return rows.map((row) => ({ id: row.id, workflowId: row.workflow_id, owner: row.owner, error }));
  }

  /** A replica stopping lets its queued runs go: any other replica may take them. Answers how many. */
  async releaseQueued(owner: string, ids: readonly string[]): Promise<number> {
    if (!ids.length) return 0;
    const result = await this.db.query
      .updateTable('jobs')
      .set({ owner: null, lease_until: null })
      .where('owner', '=', owner)
      .where('id', 'in', [...ids])
      .where('status', '=', 'queued')
      .where('finished_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * Takes the oldest queued run no replica holds, for `owner` until `until` (Postgres: the row is locked
   * and skipped by the others' claims, so each run is taken once). Answers it with its run spec, or null.
   */
  async claimQueued(owner: string, until: number): Promise<{ id: string; params: Record<string, unknown>; spec: string } | null> {
    const row = await this.db.query
      .updateTable('jobs')
      .set({ owner, lease_until: until })
      .where('id', '=', (eb) =>
        eb
          .selectFrom('jobs')
          .select('id')
          .where('owner', 'is', null)
          .where('finished_at', 'is', null)
          .where('status', '=', 'queued')
          .where('run_spec', 'is not', null)
          .orderBy('created_at')
          .limit(1)
          .forUpdate()
          .skipLocked(),
      )
      .where('owner', 'is', null)
      .returning(['id', 'params', 'run_spec'])
      .executeTakeFirst();
    return row ? { id: row.id, params: JSON.parse(row.params), spec: row.run_spec as string } : null;
  }

  /** A queued job leaves the queue (never one that already ended: the two writes may reach the database out of order). */
  async markRunning(id: string): Promise<void> {
    await this.db.query.updateTable('jobs').set({ status: 'running' }).where('id', '=', id).where('finished_at', 'is', null).execute();
  }

  /** Cancels a queued run no replica holds (let go, not yet claimed); answers its workflow, or undefined when it was not such a run. */
  async cancelUnheld(id: string, error: string): Promise<{ workflowId: string | null } | undefined> {
    const row = await this.db.query
      .updateTable('jobs')
      .set({ status: 'cancelled', error, finished_at: new Date().toISOString() })
      .where('id', '=', id)
      .where('owner', 'is', null)
      .where('status', '=', 'queued')
      .where('finished_at', 'is', null)
      .returning('workflow_id')
      .executeTakeFirst();
    return row ? { workflowId: row.workflow_id } : undefined;
  }

  /** A job recorded to start at once whose worker filled up meanwhile: it waits in the queue. */
  async markQueued(id: string): Promise<void> {
    await this.db.query.updateTable('jobs').set({ status: 'queued', worker: null }).where('id', '=', id).where('finished_at', 'is', null).execute();
  }

  /** The worker a live run executes on: every replica counts it against that worker's limit until it ends. */
  async assignWorker(id: string, worker: string): Promise<void> {
    await this.db.query.updateTable('jobs').set({ worker }).where('id', '=', id).where('finished_at', 'is', null).execute();
  }

  /** A queued run waits for a worker of a scaled group: the leader's scaler counts it, whichever replica holds it. */
  async markWaitingFor(id: string, group: string): Promise<void> {
    await this.db.query.updateTable('jobs').set({ waits_for_group: group }).where('id', '=', id).where('finished_at', 'is', null).execute();
  }

  /** The queued runs replicas other than `owner` hold that wait for a scaled group's worker, and since when (ms). */
  async capacityDemandElsewhere(owner: string): Promise<Array<{ group: string; since: number }>> {
    const rows = await this.db.query
      .selectFrom('jobs')
      .select(['waits_for_group', 'created_at'])
      .where('status', '=', 'queued')
      .where('finished_at', 'is', null)
      .where('waits_for_group', 'is not', null)
      .where((eb) => eb.or([eb('owner', 'is', null), eb('owner', '<>', owner)]))
      .execute();
    return rows.map((row) => ({ group: row.waits_for_group as string, since: Date.parse(row.created_at) }));
  }

  /** Runs in flight per worker that replicas other than `owner` execute (a run's end or interruption ends its count). */
  async runsPerWorkerElsewhere(owner: string): Promise<Map<string, number>> {
    const rows = await this.db.query
      .selectFrom('jobs')
      .select(['worker', ({ fn }) => fn.countAll<number>().as('runs')])
      .where('worker', 'is not', null)
      .where('finished_at', 'is', null)
      .where((eb) => eb.or([eb('owner', 'is', null), eb('owner', '<>', owner)]))
      .groupBy('worker')
      .execute();
    return new Map(rows.map((row) => [row.worker as string, Number(row.runs)]));
  }

  /** Records the outcome and answers with the finished job; an outcome already recorded is kept (and returned). */
  async finish(id: string, status: StoredJobStatus, result: StoredJob['result'], error: string | null): Promise<StoredJob | null> {
    // An ended job's outcome is final: a run that finishes after shutdown already failed it changes nothing.
    const row = await this.db.query
      .updateTable('jobs')
      .set({ status, result: result ? JSON.stringify(result) : null, error, finished_at: new Date().toISOString() })
      .where('id', '=', id)
      .where('finished_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row ? fromRow(row) : this.get(id);
  }

  /** Whether a job of this id exists, without reading it. */
  async exists(id: string): Promise<boolean> {
    return (await this.db.query.selectFrom('jobs').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  async get(id: string): Promise<StoredJob | null> {
    const row = await this.db.query.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async list(limit = 50): Promise<StoredJob[]> {
    return (await this.db.query.selectFrom('jobs').selectAll().orderBy('created_at', 'desc').limit(limit).execute()).map(fromRow);
  }

  /** Runs left running by a previous process can never finish: they are failed, with the reason. */
  async interruptLeftovers(): Promise<number> {
    const result = await this.db.query
      .updateTable('jobs')
      .set({
        status: 'interrupted',
        error: 'the server stopped during the run (it was killed or crashed); run it again',
        finished_at: new Date().toISOString(),
      })
      .where('status', 'in', [...LIVE_JOB_STATUSES])
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** The ids of ended runs created before `before` (ISO time): retention by age. */
  async endedBefore(before: string): Promise<string[]> {
    const rows = await this.ended().where('created_at', '<', before).execute();
    return rows.map((row) => row.id);
  }

  /** The ids of ended runs past the newest `keep` of them: retention by count. */
  async endedBeyondNewest(keep: number): Promise<string[]> {
    const rows = await this.ended().orderBy('created_at', 'desc').limit(ALL).offset(keep).execute();
    return rows.map((row) => row.id);
  }

  /** When the `index`-th newest run (0-based) was created, or undefined when there are not so many. */
  async createdAtOfNewest(index: number): Promise<string | undefined> {
    const row = await this.db.query.selectFrom('jobs').select('created_at').orderBy('created_at', 'desc').limit(1).offset(index).executeTakeFirst();
    return row?.created_at;
  }

  /** Deletes runs, their kept events and what they hold of assets (the assets themselves go once nobody holds them), in one transaction. */
  async forget(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await this.db.query.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('asset_refs')
        .where('job_id', 'in', [...ids])
        .execute();
      await trx
        .deleteFrom('run_events')
        .where('job_id', 'in', [...ids])
        .execute();
      await trx
        .deleteFrom('jobs')
        .where('id', 'in', [...ids])
        .execute();
    });
  }

  private ended() {
    return this.db.query
      .selectFrom('jobs')
      .select('id')
      .where('finished_at', 'is not', null)
      .where('status', 'in', [...FINAL_JOB_STATUSES]);
  }
}

function fromRow({ owner: _owner, lease_until: _lease, run_spec: _spec, ...row }: Selectable<JobsTable>): StoredJob {
  return {
    ...row,
    status: row.status as StoredJobStatus,
    graph: JSON.parse(row.graph),
    params: JSON.parse(row.params),
    result: row.result ? JSON.parse(row.result) : null,
  };
}
