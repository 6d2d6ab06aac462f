import type { GuardEventInfo } from '@nt/api-contract';
import { parseProfile, profileToRecord, type BillingPeriod, type WorkerProfile } from '@nt/provisioning';
import type { Db } from '../store/database.js';

/** A rented instance as the server keeps it. The worker token is in `tokenFile` (mode 0600), never here. */
export interface RentedWorker {
  /** `<provider>:<instance id>` */
  id: string;
  /** A provider of the registry (`runpod`, `vast`). */
  provider: string;
  instanceId: string;
  /** Its name at the provider (INSTANCE_PREFIX + profile + a random part). */
  name: string;
  profile: string;
  state: 'creating' | 'provisioning' | 'running' | 'stopped' | 'destroyed' | 'failed';
  /** What it is doing now, for people: "provisioning", "pulling the image and starting", "healthy", … */
  stage: string;
  gpu: string | null;
  pricePerHour: number | null;
  tokenFile: string;
  /** The SHA-256 fingerprint of the certificate the server made for it (wss:// pinned), or null for plain ws://. */
  tlsFingerprint: string | null;
  attached: boolean;
  /** Created with --attach: a bring-up resumed after a restart attaches it when it is healthy. */
  attachRequested: boolean;
  createdAt: string;
  /** Start of the current running period (ms since epoch), null when not running. */
  runningSince: number | null;
  /** USD spent in earlier running periods. */
  spentBefore: number;
  lastActivity: number;
  error: string | null;
}

/** What the cost guard did, as the contract describes it. */
export type GuardEvent = GuardEventInfo;

interface Row {
  id: string;
  provider: string;
  instance_id: string;
  name: string;
  profile: string;
  state: string;
  stage: string;
  gpu: string | null;
  price_per_hour: number | null;
  token_file: string;
  tls_fingerprint: string | null;
  attached: number;
  attach_requested: number;
  created_at: string;
  running_since: number | null;
  spent_before: number;
  last_activity: number;
  error: string | null;
}

/** The renting tables of the server's SQLite: profiles, rented workers, the guard's events. */
export class RentedStore {
  constructor(private readonly db: Db) {}

  profiles(): WorkerProfile[] {
    return (this.db.prepare('SELECT profile FROM worker_profiles ORDER BY name').all() as Array<{ profile: string }>).map((row) =>
      parseProfile(JSON.parse(row.profile), { stored: true }),
    );
  }

  profile(name: string): WorkerProfile | null {
    const row = this.db.prepare('SELECT profile FROM worker_profiles WHERE name = ?').get(name) as { profile: string } | undefined;
    return row ? parseProfile(JSON.parse(row.profile), { stored: true }) : null;
  }

  saveProfile(profile: WorkerProfile): 'created' | 'updated' {
    const now = new Date().toISOString();
    const existed = this.profile(profile.name) !== null;
    this.db
      .prepare(
        'INSERT INTO worker_profiles (name, profile, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at',
      )
      .run(profile.name, JSON.stringify(profileToRecord(profile)), now, now);
    return existed ? 'updated' : 'created';
  }

  deleteProfile(name: string): boolean {
    return this.db.prepare('DELETE FROM worker_profiles WHERE name = ?').run(name).changes > 0;
  }

  workers(): RentedWorker[] {
    return (this.db.prepare('SELECT * FROM rented_workers ORDER BY created_at').all() as Row[]).map(fromRow);
  }

  /** Those not destroyed and not failed: what still exists at the provider, stopped ones included (they count against the caps). */
  liveWorkers(): RentedWorker[] {
    return this.workers().filter((worker) => worker.state !== 'destroyed' && worker.state !== 'failed');
  }

  worker(id: string): RentedWorker | null {
    const row = this.db.prepare('SELECT * FROM rented_workers WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  insert(worker: RentedWorker): void {
    this.db
      .prepare(
        `INSERT INTO rented_workers (id, provider, instance_id, name, profile, state, stage, gpu, price_per_hour, token_file, tls_fingerprint, attached, attach_requested, created_at, running_since, spent_before, last_activity, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        worker.id,
        worker.provider,
        worker.instanceId,
        worker.name,
        worker.profile,
        worker.state,
        worker.stage,
        worker.gpu,
        worker.pricePerHour,
        worker.tokenFile,
        worker.tlsFingerprint,
        worker.attached ? 1 : 0,
        worker.attachRequested ? 1 : 0,
        worker.createdAt,
        worker.runningSince,
        worker.spentBefore,
        worker.lastActivity,
        worker.error,
      );
  }

  update(
    id: string,
    change: Partial<Omit<RentedWorker, 'id' | 'provider' | 'instanceId' | 'name' | 'profile' | 'tokenFile' | 'tlsFingerprint' | 'createdAt'>>,
  ): RentedWorker | null {
    const columns: Record<string, string> = {
      state: 'state',
      stage: 'stage',
      gpu: 'gpu',
      pricePerHour: 'price_per_hour',
      attached: 'attached',
      runningSince: 'running_since',
      spentBefore: 'spent_before',
      lastActivity: 'last_activity',
      error: 'error',
    };
    const entries = Object.entries(change).filter(([key]) => key in columns);
    if (entries.length) {
      const values = entries.map(([key, value]) => (key === 'attached' ? (value ? 1 : 0) : value));
      this.db.prepare(`UPDATE rented_workers SET ${entries.map(([key]) => `${columns[key]} = ?`).join(', ')} WHERE id = ?`).run(...values, id);
    }
    return this.worker(id);
  }

  /** A worker starts billing at a price (or at a new one): its open period ends, a new one begins. */
  billingFrom(worker: Pick<RentedWorker, 'id' | 'profile'>, pricePerHour: number | null, at: number): void {
    this.billingEnds(worker.id, at);
    this.db
      .prepare('INSERT INTO rent_periods (worker, profile, price_per_hour, started_at, ended_at) VALUES (?, ?, ?, ?, NULL)')
      .run(worker.id, worker.profile, pricePerHour, at);
  }

  /** It stopped billing (stopped, destroyed, failed). */
  billingEnds(workerId: string, at: number): void {
    this.db.prepare('UPDATE rent_periods SET ended_at = ? WHERE worker = ? AND ended_at IS NULL').run(at, workerId);
  }

  /** Every period that billed at some time after `from`: the daily cap's input. */
  billingSince(from: number): Array<BillingPeriod & { profile: string }> {
    return (
      this.db.prepare('SELECT profile, price_per_hour, started_at, ended_at FROM rent_periods WHERE ended_at IS NULL OR ended_at > ?').all(from) as Array<{
        profile: string;
        price_per_hour: number | null;
        started_at: number;
        ended_at: number | null;
      }>
    ).map((row) => ({ profile: row.profile, pricePerHour: row.price_per_hour, startedAt: row.started_at, endedAt: row.ended_at }));
  }

  /** The bring-ups of a profile that failed since `from` (the guard's create-failed events), for the brake. */
  failedBringUps(profile: string, from: number): Array<{ at: number; detail: string }> {
    return (
      this.db
        .prepare(
          "SELECT e.at, e.detail FROM guard_events e JOIN rented_workers w ON w.id = e.worker WHERE w.profile = ? AND e.reason = 'create-failed' AND e.at >= ?",
        )
        .all(profile, new Date(from).toISOString()) as Array<{ at: string; detail: string }>
    ).map((row) => ({ at: Date.parse(row.at), detail: row.detail }));
  }

  addEvent(worker: string, action: string, reason: string, detail: string): GuardEvent {
    const at = new Date().toISOString();
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO guard_events (at, worker, action, reason, detail) VALUES (?, ?, ?, ?, ?)')
      .run(at, worker, action, reason, detail);
    return { id: Number(lastInsertRowid), at, worker, action, reason, detail };
  }

  events(limit = 200): GuardEvent[] {
    return this.db.prepare('SELECT * FROM guard_events ORDER BY id DESC LIMIT ?').all(limit) as GuardEvent[];
  }
}

function fromRow(row: Row): RentedWorker {
  return {
    id: row.id,
    provider: row.provider as RentedWorker['provider'],
    instanceId: row.instance_id,
    name: row.name,
    profile: row.profile,
    state: row.state as RentedWorker['state'],
    stage: row.stage,
    gpu: row.gpu,
    pricePerHour: row.price_per_hour,
    tokenFile: row.token_file,
    tlsFingerprint: row.tls_fingerprint,
    attached: row.attached === 1,
    attachRequested: row.attach_requested === 1,
    createdAt: row.created_at,
    runningSince: row.running_since,
    spentBefore: row.spent_before,
    lastActivity: row.last_activity,
    error: row.error,
  };
}
