import { JobStore, type Db } from '@nt/data';
import type { RentedWorkers } from '../rented/rentedWorkers.js';
import type { CapacityScaler } from '../scaling/capacityScaler.js';
import type { WorkerPool } from '../workers/workerPool.js';

/** How often a replica reads what the others did to the workers they share. */
const READ_EVERY_MS = 1_000;

/**
 * The pool as every replica shares it, read from the database each second:
 * - the runs other replicas execute on each worker, into the pool's members: a worker's
 *   max_concurrent_runs, the routing and the cost guard's "no run in flight" count every replica's runs,
 *   not this one's alone. Two replicas placing a run on the same last slot within one read may both
 *   take it; the worker runs both (it has no limit of its own), and the next read counts them;
 * - the rented workers another replica attached (attached here too) and those it destroyed or the
 *   provider reclaimed (detached here too);
 * - the worker profiles (another replica may have added a scaled group) and the runs other replicas
 *   hold that wait for a scaled group's worker: the leader's scaler rents for the whole queue.
 */
export class SharedPool {
  private readonly jobs: JobStore;
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  /** Runs other replicas hold waiting for a scaled group's worker, as last read. */
  demandElsewhere: Array<{ group: string; since: number }> = [];

  constructor(
    db: Db,
    private readonly pool: WorkerPool,
    private readonly rented: Pick<RentedWorkers, 'followAttachments'>,
    private readonly scaler: Pick<CapacityScaler, 'refresh'>,
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
      .catch((error: Error) => this.options.log(`could not read the pool as the other replicas left it (read again in a second): ${error.message}`))
      .finally(() => (this.reading = null));
  }

  private async readOnce(): Promise<void> {
    await this.rented.followAttachments();
    await this.scaler.refresh();
    this.demandElsewhere = await this.jobs.capacityDemandElsewhere(this.options.owner);
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
