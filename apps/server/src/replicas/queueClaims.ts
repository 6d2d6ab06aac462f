import { JobStore, RunEventRecords, type Db } from '@nt/data';
import type { Workflow } from '@nt/runtime';
import type { JobManager } from '../jobs/jobManager.js';
import type { RunModelOptions } from '../runs/runRequest.js';

/** How often a replica with room looks for a queued run nobody holds. */
const LOOK_EVERY_MS = 1_000;

/**
 * Queued runs no replica holds (their replica stopped, or died and its lease ran out) are taken by a
 * replica with room: claimed in the database (Postgres's `FOR UPDATE SKIP LOCKED`: each run by one
 * replica), then queued and run here like its own.
 */
export class QueueClaims {
  private readonly jobs: JobStore;
  private readonly events: RunEventRecords;
  private timer: NodeJS.Timeout | null = null;
  private looking: Promise<void> | null = null;

  constructor(
    db: Db,
    private readonly runs: Pick<JobManager, 'hasRoom' | 'adopt'>,
    private readonly options: { owner: string; leaseMs: number; log: (line: string) => void },
  ) {
    this.jobs = new JobStore(db);
    this.events = new RunEventRecords(db);
  }

  start(): void {
    this.timer = setInterval(() => this.look(), LOOK_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.looking;
  }

  private look(): void {
    if (this.looking || !this.runs.hasRoom) return;
    this.looking = this.takeWhileRoom()
      .catch((error: Error) => this.options.log(`could not take a queued run: ${error.message}`))
      .finally(() => (this.looking = null));
  }

  private async takeWhileRoom(): Promise<void> {
    while (this.runs.hasRoom && this.timer) {
      const claimed = await this.jobs.claimQueued(this.options.owner, Date.now() + this.options.leaseMs);
      if (!claimed) return;
      const spec = JSON.parse(claimed.spec) as { workflow: Workflow; models: RunModelOptions };
      const lastSeq = (await this.events.lastSeq(claimed.id)) ?? 0;
      this.options.log(`took the queued run ${claimed.id}, which its replica let go`);
      this.runs.adopt({ jobId: claimed.id, workflow: spec.workflow, params: claimed.params, models: spec.models, lastSeq });
    }
  }
}
