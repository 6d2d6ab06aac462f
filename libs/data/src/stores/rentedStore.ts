import type { GuardEventInfo } from '@nt/api-contract';
import { parseProfile, profileToRecord, type BillingPeriod, type WorkerProfile } from '@nt/provisioning';
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../openDatabase.js';
import type { RentedWorkersTable } from '../schema.js';

/** Postgres advisory lock key under which the replicas check the renting caps one at a time (beside the migration's and the leader's). */
const RENTAL_LOCK = 7_702_901_003;

/** A rented instance as the server keeps it. Its worker token is sealed (`tokenSealed`), or, rented by an earlier release, in `tokenFile` (0600). */
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
  /** Rented by an earlier release: the 0600 file its token is in; '' since tokens are sealed. */
  tokenFile: string;
  /** Its token, sealed with the key every replica reads (the server's TokenSeal); null for an earlier release's. */
  tokenSealed: string | null;
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

/** The renting tables: profiles, rented workers, their billing periods, the guard's events. */
export class RentedStore {
  constructor(private readonly db: Db) {}

  async profiles(): Promise<WorkerProfile[]> {
    const rows = await this.db.query.selectFrom('worker_profiles').select('profile').orderBy('name').execute();
    return rows.map((row) => parseProfile(JSON.parse(row.profile), { stored: true }));
  }

  async profile(name: string): Promise<WorkerProfile | null> {
    const row = await this.db.query.selectFrom('worker_profiles').select('profile').where('name', '=', name).executeTakeFirst();
    return row ? parseProfile(JSON.parse(row.profile), { stored: true }) : null;
  }

  async saveProfile(profile: WorkerProfile): Promise<'created' | 'updated'> {
    const now = new Date().toISOString();
    const existed = (await this.profile(profile.name)) !== null;
    await this.db.query
      .insertInto('worker_profiles')
      .values({ name: profile.name, profile: JSON.stringify(profileToRecord(profile)), created_at: now, updated_at: now })
      .onConflict((conflict) =>
        conflict.column('name').doUpdateSet((row) => ({ profile: row.ref('excluded.profile'), updated_at: row.ref('excluded.updated_at') })),
      )
      .execute();
    return existed ? 'updated' : 'created';
  }

  async deleteProfile(name: string): Promise<boolean> {
    const result = await this.db.query.deleteFrom('worker_profiles').where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async workers(): Promise<RentedWorker[]> {
    return (await this.db.query.selectFrom('rented_workers').selectAll().orderBy('created_at').execute()).map(fromRow);
  }

  /** Those not destroyed and not failed: what still exists at the provider, stopped ones included (they count against the caps). */
  async liveWorkers(): Promise<RentedWorker[]> {
    const rows = await this.db.query.selectFrom('rented_workers').selectAll().where('state', 'not in', ['destroyed', 'failed']).orderBy('created_at').execute();
    return rows.map(fromRow);
  }

  /**
   * Records a rental this replica is about to make (the provider has not answered yet) if `admit`, given
   * the live workers and the rentals every replica is making now, finds no cap reached; answers its
   * refusal otherwise, recording nothing. One at a time across replicas (a transaction under an advisory
   * lock on Postgres; SQLite's one writer): two rentals for the last place never both pass, nor both fail.
   * Counted until ended, or until `until` (ms) passes (its replica died mid-rental: the count lapses).
   */
  async reserveRental(
    rental: { id: string; profile: string; until: number },
    admit: (live: RentedWorker[], inProgress: string[]) => string | null,
  ): Promise<string | null> {
    return this.db.query.transaction().execute(async (trx) => {
      if (this.db.kind === 'postgres') await sql`SELECT pg_advisory_xact_lock(${RENTAL_LOCK})`.execute(trx);
      await trx.deleteFrom('rentals_in_progress').where('until', '<=', Date.now()).execute();
      const live = (await trx.selectFrom('rented_workers').selectAll().where('state', 'not in', ['destroyed', 'failed']).execute()).map(fromRow);
      const inProgress = (await trx.selectFrom('rentals_in_progress').select('profile').execute()).map((row) => row.profile);
      const refusal = admit(live, inProgress);
      if (refusal === null) await trx.insertInto('rentals_in_progress').values(rental).execute();
      return refusal;
    });
  }

  async endRental(id: string): Promise<void> {
    await this.db.query.deleteFrom('rentals_in_progress').where('id', '=', id).execute();
  }

  async worker(id: string): Promise<RentedWorker | null> {
    const row = await this.db.query.selectFrom('rented_workers').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async insert(worker: RentedWorker): Promise<void> {
    await this.db.query.insertInto('rented_workers').values(toRow(worker)).execute();
  }

  async update(
    id: string,
    change: Partial<Omit<RentedWorker, 'id' | 'provider' | 'instanceId' | 'name' | 'profile' | 'tokenFile' | 'tlsFingerprint' | 'createdAt'>>,
  ): Promise<RentedWorker | null> {
    const set: Updateable<RentedWorkersTable> = {};
    if (change.state !== undefined) set.state = change.state;
    if (change.stage !== undefined) set.stage = change.stage;
    if (change.gpu !== undefined) set.gpu = change.gpu;
    if (change.pricePerHour !== undefined) set.price_per_hour = change.pricePerHour;
    if (change.attached !== undefined) set.attached = change.attached ? 1 : 0;
    if (change.attachRequested !== undefined) set.attach_requested = change.attachRequested ? 1 : 0;
    if (change.runningSince !== undefined) set.running_since = change.runningSince;
    if (change.spentBefore !== undefined) set.spent_before = change.spentBefore;
    if (change.lastActivity !== undefined) set.last_activity = change.lastActivity;
    if (change.error !== undefined) set.error = change.error;
    if (Object.keys(set).length) await this.db.query.updateTable('rented_workers').set(set).where('id', '=', id).execute();
    return this.worker(id);
  }

  /** A worker starts billing at a price (or at a new one): its open period ends, a new one begins. */
  async billingFrom(worker: Pick<RentedWorker, 'id' | 'profile'>, pricePerHour: number | null, at: number): Promise<void> {
    await this.db.query.transaction().execute(async (trx) => {
      await trx.updateTable('rent_periods').set({ ended_at: at }).where('worker', '=', worker.id).where('ended_at', 'is', null).execute();
      await trx
        .insertInto('rent_periods')
        .values({ worker: worker.id, profile: worker.profile, price_per_hour: pricePerHour, started_at: at, ended_at: null })
        .execute();
    });
  }

  /** It stopped billing (stopped, destroyed, failed). */
  async billingEnds(workerId: string, at: number): Promise<void> {
    await this.db.query.updateTable('rent_periods').set({ ended_at: at }).where('worker', '=', workerId).where('ended_at', 'is', null).execute();
  }

  /** Every period that billed at some time after `from`: the daily cap's input. */
  async billingSince(from: number): Promise<Array<BillingPeriod & { profile: string }>> {
    const rows = await this.db.query
      .selectFrom('rent_periods')
      .select(['profile', 'price_per_hour', 'started_at', 'ended_at'])
      .where((row) => row.or([row('ended_at', 'is', null), row('ended_at', '>', from)]))
      .execute();
    return rows.map((row) => ({ profile: row.profile, pricePerHour: row.price_per_hour, startedAt: row.started_at, endedAt: row.ended_at }));
  }

  /** The bring-ups of a profile that failed since `from` (the guard's create-failed events), for the brake. */
  async failedBringUps(profile: string, from: number): Promise<Array<{ at: number; detail: string }>> {
    const rows = await this.db.query
      .selectFrom('guard_events as e')
      .innerJoin('rented_workers as w', 'w.id', 'e.worker')
      .select(['e.at', 'e.detail'])
      .where('w.profile', '=', profile)
      .where('e.reason', '=', 'create-failed')
      .where('e.at', '>=', new Date(from).toISOString())
      .execute();
    return rows.map((row) => ({ at: Date.parse(row.at), detail: row.detail }));
  }

  async addEvent(worker: string, action: string, reason: string, detail: string): Promise<GuardEvent> {
    const at = new Date().toISOString();
    const row = await this.db.query.insertInto('guard_events').values({ at, worker, action, reason, detail }).returning('id').executeTakeFirstOrThrow();
    return { id: Number(row.id), at, worker, action, reason, detail };
  }

  async events(limit = 200): Promise<GuardEvent[]> {
    return this.db.query.selectFrom('guard_events').selectAll().orderBy('id', 'desc').limit(limit).execute();
  }
}

function fromRow(row: Selectable<RentedWorkersTable>): RentedWorker {
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
    tokenSealed: row.token_sealed,
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

function toRow(worker: RentedWorker): Insertable<RentedWorkersTable> {
  return {
    id: worker.id,
    provider: worker.provider,
    instance_id: worker.instanceId,
    name: worker.name,
    profile: worker.profile,
    state: worker.state,
    stage: worker.stage,
    gpu: worker.gpu,
    price_per_hour: worker.pricePerHour,
    token_file: worker.tokenFile,
    token_sealed: worker.tokenSealed,
    tls_fingerprint: worker.tlsFingerprint,
    attached: worker.attached ? 1 : 0,
    attach_requested: worker.attachRequested ? 1 : 0,
    created_at: worker.createdAt,
    running_since: worker.runningSince,
    spent_before: worker.spentBefore,
    last_activity: worker.lastActivity,
    error: worker.error,
  };
}
