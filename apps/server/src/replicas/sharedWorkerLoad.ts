import { JobStore, type Db } from '@nt/data';
import type { WorkerPool } from '../workers/workerPool.js';

/** How often a replica reads what the others run on the workers they share. */
const READ_EVERY_MS = 1_000;

/**
 * The runs other replicas execute on each worker, read from the database every second into the pool's
 * members: a worker's max_concurrent_runs, the routing and the cost guard's "no run in flight" count every
 * replica's runs, not this one's alone. Two replicas placing a run on the same last slot within one read
 * may both take it; the worker runs both (it has no limit of its own), and the next read counts them.
 */
export class SharedWorkerLoad {
  private readonly jobs: JobStore;
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;

  constructor(
    db: Db,
    private readonly pool: WorkerPool,
    private readonly options: { owner: string; log: (line: string) => void },
  ) {
    this.jobs = new JobStore(db);
  }

  start(): void {
    this.timer = setInterval(() => this.read(), READ_EVERY_MS);
    this.timer.unref();
    this.read();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reading;
  }

  private read(): void {
    if (this.reading) return;
    this.reading = this.readOnce()
      .catch((error: Error) => this.options.log(`could not read the other replicas' runs per worker (read again in a second): ${error.message}`))
      .finally(() => (this.reading = null));
  }

  private async readOnce(): Promise<void> {
    const elsewhere = await this.jobs.runsPerWorkerElsewhere(this.options.owner);
    let freed = false;
    for (const member of this.pool.members()) {
      const runs = elsewhere.get(member.id) ?? 0;
      if (runs < member.runsElsewhere) freed = true;
      member.runsElsewhere = runs;
    }
    // A slot another replica freed may start a run queued here.
    if (freed) this.pool.emit('changed');
  }
}
