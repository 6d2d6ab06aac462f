import { LIVE_JOB_STATUSES, type JobRecord, type ServerJobStatus } from '@nt/api-contract';
import type { Db } from './database.js';

export type StoredJobStatus = ServerJobStatus;

/** A job row: the contract's JobRecord without the live per-node states. */
export type StoredJob = Omit<JobRecord, 'nodes'>;

type Row = Omit<StoredJob, 'graph' | 'params' | 'result'> & { graph: string; params: string; result: string | null };

export class JobStore {
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      insert: db.prepare('INSERT INTO jobs (id, workflow_id, status, graph, params, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      // An ended job's outcome is final: a run that finishes after shutdown already failed it changes nothing.
      finish: db.prepare('UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ? WHERE id = ? AND finished_at IS NULL RETURNING *'),
      exists: db.prepare('SELECT 1 FROM jobs WHERE id = ?').pluck(),
      setStatus: db.prepare('UPDATE jobs SET status = ? WHERE id = ?'),
      get: db.prepare('SELECT * FROM jobs WHERE id = ?'),
    };
  }

  /** Records a job that starts running now, or waits in the queue. */
  create(job: Pick<StoredJob, 'id' | 'workflow_id' | 'graph' | 'params'>, status: 'running' | 'queued' = 'running'): void {
    this.statements.insert.run(job.id, job.workflow_id, status, JSON.stringify(job.graph), JSON.stringify(job.params), new Date().toISOString());
  }

  /** A queued job leaves the queue. */
  markRunning(id: string): void {
    this.statements.setStatus.run('running', id);
  }

  /** Records the outcome and answers with the finished job; an outcome already recorded is kept (and returned). */
  finish(id: string, status: StoredJobStatus, result: StoredJob['result'], error: string | null): StoredJob | null {
    const row = this.statements.finish.get(status, result ? JSON.stringify(result) : null, error, new Date().toISOString(), id) as Row | undefined;
    return row ? fromRow(row) : this.get(id);
  }

  /** Whether a job of this id exists, without reading it. */
  exists(id: string): boolean {
    return this.statements.exists.get(id) !== undefined;
  }

  get(id: string): StoredJob | null {
    const row = this.statements.get.get(id) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  list(limit = 50): StoredJob[] {
    return (this.db.prepare('SELECT * FROM jobs ORDER BY created_at DESC LIMIT ?').all(limit) as Row[]).map(fromRow);
  }

  /** Runs left running by a previous process can never finish: they are failed, with the reason. */
  interruptLeftovers(): number {
    return this.db
      .prepare(
        `UPDATE jobs SET status = 'interrupted', error = 'the server stopped during the run (it was killed or crashed); run it again', finished_at = ?
         WHERE status IN (${LIVE_JOB_STATUSES.map(() => '?').join(', ')})`,
      )
      .run(new Date().toISOString(), ...LIVE_JOB_STATUSES).changes;
  }
}

function fromRow(row: Row): StoredJob {
  return { ...row, graph: JSON.parse(row.graph), params: JSON.parse(row.params), result: row.result ? JSON.parse(row.result) : null };
}
