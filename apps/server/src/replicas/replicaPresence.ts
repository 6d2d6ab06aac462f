import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { JobStore, ReplicaRecords, type Db, type ReplicaInfo } from '@nt/data';
import { ConfigError } from '@nt/settings';

/** Where a replica's assets go: a bucket, a folder every replica mounts (NODETOOL_ASSETS_SHARED), or a folder of its own. */
export type AssetsPlace = 'bucket' | 'shared' | 'local';

export interface ReplicaPresenceEvents {
  /** Runs of a replica that stopped renewing its lease, now interrupted (this replica noticed first). */
  interrupted: [runs: Array<{ id: string; workflowId: string | null; owner: string | null; error: string }>];
}

/**
 * One server replica among several on one Postgres: it announces itself, beats every third of the lease,
 * renews the leases of the runs it holds, and interrupts the runs of a replica that stopped beating
 * (killed, cut off from the database) once their lease ran out. Refuses to start where its assets would
 * be unreadable to the others.
 */
export class ReplicaPresence extends EventEmitter<ReplicaPresenceEvents> {
  readonly id = `${hostname()}-${randomBytes(4).toString('hex')}`;
  private readonly records: ReplicaRecords;
  private readonly jobs: JobStore;
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;

  constructor(
    db: Db,
    private readonly options: { leaseMs: number; assets: AssetsPlace; log: (line: string) => void },
  ) {
    super();
    this.records = new ReplicaRecords(db);
    this.jobs = new JobStore(db);
  }

  async start(): Promise<void> {
    const now = Date.now();
    // A replica not seen for ten leases is long gone: its row goes (its runs were interrupted by then).
    await this.records.forgetSilent(now - 10 * this.options.leaseMs);
    refuseUnsharedAssets(this.options.assets, await this.records.alive(now - this.options.leaseMs));
    await this.records.announce({ id: this.id, host: hostname(), assets: this.options.assets, startedAt: new Date(now).toISOString(), seenAt: now });
    this.timer = setInterval(() => this.beat(), Math.max(500, Math.floor(this.options.leaseMs / 3)));
    this.timer.unref();
    this.beat();
  }

  /** Stops beating and leaves; its runs' outcomes were written by then (or their leases run out). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
    await this.records.forget(this.id).catch(() => undefined);
  }

  private beat(): void {
    if (this.beating) return;
    this.beating = this.beatOnce()
      .catch((error: Error) => this.options.log(`replica ${this.id}: the heartbeat failed and is tried again: ${error.message}`))
      .finally(() => (this.beating = null));
  }

  private async beatOnce(): Promise<void> {
    const now = Date.now();
    await this.records.beat(this.id, now);
    await this.jobs.renewLeases(this.id, now + this.options.leaseMs);
    const interrupted = await this.jobs.interruptExpired(now);
    if (interrupted.length) {
      const owners = [...new Set(interrupted.map((run) => run.owner))].join(', ');
      this.options.log(`replica ${owners} stopped renewing its lease: ${interrupted.length} of its run(s) marked interrupted`);
      this.emit('interrupted', interrupted);
    }
  }
}

/**
 * Replicas must read each other's assets: a replica whose assets are in a folder of its own may not join
 * others, nor others join it. Named: the setting that declares a shared folder, or the bucket.
 */
export function refuseUnsharedAssets(mine: AssetsPlace, others: readonly ReplicaInfo[]): void {
  if (!others.length) return;
  const names = others.map((other) => `${other.id} on ${other.host}`).join(', ');
  if (mine === 'local')
    throw new ConfigError(
      'NODETOOL_ASSETS_SHARED',
      `another server replica is running on this database (${names}), and this one keeps its assets in a folder only it can read: set a bucket (ASSET_BUCKET), or mount one folder on every replica and set NODETOOL_ASSETS_SHARED=1`,
    );
  const local = others.filter((other) => other.assets === 'local');
  if (local.length)
    throw new ConfigError(
      'NODETOOL_ASSETS_SHARED',
      `the server replica ${local.map((other) => `${other.id} on ${other.host}`).join(', ')} keeps its assets in a folder only it can read: give every replica the bucket (ASSET_BUCKET) or a shared folder (NODETOOL_ASSETS_SHARED=1) before running several`,
    );
}
