import { selfSignedCertificate } from '@nt/certificates';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import { createPythonBridge, type WorkerSpec } from '@nt/bridge';
import {
  INSTANCE_PREFIX,
  PriceCeilingError,
  isProviderUrl,
  parseProviderUrl,
  providerClientFor,
  providerLocator,
  providerNamed,
  providerUrl,
  type ProviderClient,
} from '@nt/providers';
import {
  BRAKE_WINDOW_MS,
  bringUpBraked,
  dailyCapReached,
  overCeiling,
  rentableProblem,
  rentRequestOf,
  spendOf,
  utcDayStart,
  type WorkerProfile,
} from '@nt/provisioning';
import type { RentedWorkerInfo } from '@nt/api-contract';
import { ConflictError, NotFoundError, ProviderFailedError } from '../errors.js';
import type { WorkerPool } from '../workers/workerPool.js';
import type { TokenSeal } from './tokenSeal.js';
import type { GuardEvent, RentedStore, RentedWorker } from '@nt/data';

/** How long a rental in progress counts against the caps if its replica dies before the provider answers. */
const RENTAL_HELD_MS = 10 * 60_000;

export interface RentedWorkersOptions {
  env: NodeJS.ProcessEnv;
  /** Seals each rented worker's token in the database (NODETOOL_SECRETS_KEY_FILE); null: no key, so nothing is rented. */
  seal: TokenSeal | null;
  /** How long a new instance may take to answer the worker handshake (image pull, boot); default 20 min. */
  bootTimeoutMs: number;
  /** Live rented instances (not destroyed) the server may have at once, across profiles (NODETOOL_RENT_MAX_INSTANCES). */
  maxInstances: number;
  /** USD all rentals may bill in a UTC day (NODETOOL_RENT_MAX_SPEND_PER_DAY). */
  maxSpendPerDay: number;
  /** Failed bring-ups of a profile in an hour before it is not rented from again (NODETOOL_RENT_MAX_FAILED_BRINGUPS). */
  maxFailedBringUps: number;
  log: (line: string) => void;
  /** One token handshake with a new instance's worker: true when it answers (default: a bridge over the provider's URL, pinned). */
  handshake?: (worker: RentedWorker) => Promise<boolean>;
}

export interface RentedWorkersEvents {
  worker: [RentedWorkerView];
  guard: [GuardEvent];
}

/** A rented worker as the API and the UI show it: the record (without its token file) plus what it cost and how long it has run. */
export type RentedWorkerView = RentedWorkerInfo;

/**
 * Rented GPU workers: creates instances from profiles (a fresh token each, a certificate the server pins),
 * follows them until the worker answers its handshake, attaches them to the pool, stops, starts and
 * destroys them. A creation that fails after the provider made the instance destroys it again, so
 * nothing is left billing. The cost guard (CostGuardLoop) decides; this carries its decisions out.
 */
export class RentedWorkers extends EventEmitter<RentedWorkersEvents> {
  private readonly busy = new Set<string>();
  /** Creations under way per profile (asked of the provider, not yet recorded): they count against the caps. */
  /** Set at server shutdown: bring-ups stop following (without destroying anything); the next process resumes them. */
  private closed = false;

  constructor(
    readonly store: RentedStore,
    private readonly pool: WorkerPool,
    private readonly options: RentedWorkersOptions,
    private readonly clientFor: (profile: WorkerProfile) => ProviderClient = (profile) => providerClientFor(profile, options.env),
  ) {
    super();
  }

  /**
   * This replica's pool holds the rented workers the database calls attached, whichever replica rented
   * them (on Postgres, every replica reads it each second: SharedPool); a rented member the database no
   * longer calls attached (destroyed, reclaimed) leaves the pool. A worker leaving is written to the
   * database before the pool; one this replica is bringing up joins its pool before the database says so,
   * and is left alone meanwhile.
   */
  async followAttachments(): Promise<void> {
    const attached = new Map<string, RentedWorker>();
    const joining = new Set<string>();
    for (const worker of await this.store.liveWorkers()) {
      if (this.busy.has(worker.id)) joining.add(this.urlOf(worker));
      else if (worker.attached && !this.unfinished(worker)) attached.set(this.urlOf(worker), worker);
    }
    for (const [url, worker] of attached) if (!this.pool.member(url)) await this.pool.attach(await this.specOf(worker));
    for (const member of this.pool.members())
      if (member.labels['rented'] !== undefined && !attached.has(member.id) && !joining.has(member.id)) await this.pool.detach(member.id);
  }

  /**
   * On the leader (one replica, or the only server): a bring-up a previous leader did not finish (it
   * stopped while an instance was starting) is followed again, so an instance is never left billing
   * unwatched: it becomes healthy (and attached, if that was asked) or is destroyed.
   */
  async followUnfinished(): Promise<void> {
    for (const worker of await this.store.liveWorkers()) {
      if (!this.unfinished(worker) || this.busy.has(worker.id)) continue;
      try {
        const profile = await this.profileOf(worker);
        this.options.log(`following ${worker.id} again: its start was not finished when the server stopped`);
        void this.bringUp(worker.id, profile, this.clientFor(profile), worker.attachRequested);
      } catch (error) {
        await this.recordEvent(worker.id, 'report', 'unfinished-start', `${(error as Error).message}; it may still be billing`);
      }
    }
  }

  private unfinished(worker: RentedWorker): boolean {
    return worker.state === 'provisioning' || (worker.state === 'running' && worker.stage.startsWith('starting: pulling'));
  }

  /** The server is stopping: leave unfinished starts to the next process (resume), touch nothing else. */
  shutdown(): void {
    this.closed = true;
  }

  async list(): Promise<RentedWorkerView[]> {
    return (await this.store.workers()).map((worker) => this.view(worker));
  }

  async get(id: string): Promise<RentedWorkerView> {
    return this.view(await this.require(id));
  }

  /**
   * Starts renting from a profile and answers at once with the record ("creating"); progress follows
   * as `worker` events and in GET /api/rented-workers/<id>. A price over the ceiling is refused before
   * anything exists at the provider.
   */
  async create(profileName: string, attach: boolean): Promise<RentedWorkerView> {
    const profile = await this.store.profile(profileName);
    if (!profile) throw new NotFoundError(`no worker profile named "${profileName}" (nodetool worker profile list)`);
    const problem = rentableProblem(profile);
    if (problem) throw new ConflictError(`cannot rent from the profile "${profile.name}": ${problem.message}`);
    const client = this.clientFor(profile);
    const rental = { id: randomBytes(8).toString('hex'), profile: profile.name, until: Date.now() + RENTAL_HELD_MS };
    await this.checkCaps(profile, rental);
    try {
      return await this.rent(profile, client, attach);
    } finally {
      await this.store.endRental(rental.id).catch((error: Error) => this.options.log(`a rental's reservation stays until it lapses: ${error.message}`));
    }
  }

  /**
   * The caps, whoever rents (a person or the scaler, on any replica): live instances per profile and for
   * the server, what rentals billed today, and the brake on a profile whose bring-ups keep failing. Passed,
   * the rental is reserved in the database, so a rental checked next (here or on another replica) counts it.
   */
  private async checkCaps(profile: WorkerProfile, rental: { id: string; profile: string; until: number }): Promise<void> {
    const now = Date.now();
    const capped = await this.spendingStopped(now);
    if (capped) throw new ConflictError(capped);
    const braked = await this.braked(profile.name, now);
    if (braked) throw new ConflictError(`not renting from the profile "${profile.name}": ${braked}`);
    const refusal = await this.store.reserveRental(rental, (live, inProgress) => {
      const ofProfile = live.filter((worker) => worker.profile === profile.name).length + inProgress.filter((name) => name === profile.name).length;
      if (ofProfile >= profile.maxInstances)
        return `the profile "${profile.name}" has ${ofProfile} live instance(s) and its max_instances is ${profile.maxInstances}: destroy one (nodetool worker list) or raise max_instances`;
      const all = live.length + inProgress.length;
      if (all >= this.options.maxInstances)
        return `this server has ${all} live rented instance(s) and NODETOOL_RENT_MAX_INSTANCES is ${this.options.maxInstances}: destroy one (nodetool worker list) or raise the setting`;
      return null;
    });
    if (refusal) throw new ConflictError(refusal);
  }

  /** Why nothing more may be rented or started today (NODETOOL_RENT_MAX_SPEND_PER_DAY reached), or null. */
  async spendingStopped(now = Date.now()): Promise<string | null> {
    return dailyCapReached(await this.store.billingSince(utcDayStart(now)), this.options.maxSpendPerDay, now);
  }

  /** Why a profile is not rented from now (its bring-ups kept failing), or null. */
  async braked(profile: string, now = Date.now()): Promise<string | null> {
    return bringUpBraked(await this.store.failedBringUps(profile, now - BRAKE_WINDOW_MS), this.options.maxFailedBringUps, now);
  }

  /** NODETOOL_RENT_MAX_SPEND_PER_DAY, for the capacity view. */
  get maxSpendPerDay(): number {
    return this.options.maxSpendPerDay;
  }

  private async rent(profile: WorkerProfile, client: ProviderClient, attach: boolean): Promise<RentedWorkerView> {
    const seal = this.options.seal;
    // Several replicas share rented workers: a token only this replica could read would strand them.
    if (!seal)
      throw new ConflictError(
        'renting needs NODETOOL_SECRETS_KEY_FILE with DATABASE_URL: the workers’ tokens are sealed in the database with a key every replica reads (openssl rand -hex 32 > secrets.key)',
      );
    const token = randomBytes(32).toString('hex');
    const name = `${INSTANCE_PREFIX}${profile.name}-${randomBytes(3).toString('hex')}`;
    // Made here, so the server knows the fingerprint it pins before the instance exists; the instance
    // gets certificate and key in its environment (the entrypoint writes them for stunnel), kept nowhere else.
    const certificate = await selfSignedCertificate({ commonName: 'nodetool-worker', days: 825 });
    const env: Record<string, string> = {
      NODETOOL_WORKER_TOKEN: token,
      HF_HOME: `${profile.volumeMount}/huggingface`,
      NODETOOL_WORKER_TLS_CERT_PEM: certificate.certPem,
      NODETOOL_WORKER_TLS_KEY_PEM: certificate.keyPem,
    };
    let instance;
    try {
      instance = await client.create(rentRequestOf(profile, name, env));
    } catch (error) {
      if (error instanceof PriceCeilingError) throw new ConflictError(`${error.message}: nothing was created`);
      throw new ProviderFailedError(`${(error as Error).message}: nothing was created (check the provider's console if unsure)`);
    }
    const id = `${profile.provider}:${instance.id}`;
    // The quote came first; the instance's own price is what bills. Over the ceiling: gone at once.
    const over = overCeiling(instance.pricePerHour, profile);
    if (over) {
      const cleanup = await destroyQuietly(client, instance.id);
      await this.recordEvent(id, 'destroy', 'over-ceiling', `${over}; ${cleanup}`);
      throw new ConflictError(`${profile.provider} rented ${instance.id}, but ${over}; ${cleanup}`);
    }
    const now = Date.now();
    const worker: RentedWorker = {
      id,
      provider: profile.provider,
      instanceId: instance.id,
      name,
      profile: profile.name,
      state: 'provisioning',
      stage: 'provisioning: the provider is placing the instance',
      gpu: instance.gpu,
      pricePerHour: instance.pricePerHour,
      tokenFile: '',
      tokenSealed: seal.seal(token, id),
      tlsFingerprint: certificate.fingerprint,
      attached: false,
      attachRequested: attach,
      createdAt: new Date(now).toISOString(),
      runningSince: now,
      spentBefore: 0,
      lastActivity: now,
      error: null,
    };
    await this.store.insert(worker);
    await this.store.billingFrom(worker, instance.pricePerHour, now);
    this.options.log(`rented ${worker.id} (${name}) from profile ${profile.name} at $${instance.pricePerHour ?? '?'}/h`);
    await this.announce(worker.id);
    void this.bringUp(worker.id, profile, client, attach);
    return this.view(worker);
  }

  async stop(id: string, why = 'asked'): Promise<RentedWorkerView> {
    const worker = await this.require(id);
    if (worker.state === 'stopped') return this.view(worker);
    if (worker.state !== 'running') throw new ConflictError(`${id} is ${worker.state}: only a running worker can be stopped`);
    const profile = await this.profileOf(worker);
    await this.clientFor(profile).stop(worker.instanceId);
    const now = Date.now();
    await this.store.update(id, {
      state: 'stopped',
      stage: `stopped (${why})`,
      spentBefore: this.costOf(worker, now),
      runningSince: null,
    });
    await this.store.billingEnds(id, now);
    this.options.log(`stopped ${id} (${why})`);
    return await this.announce(id);
  }

  async start(id: string, why = 'asked'): Promise<RentedWorkerView> {
    const worker = await this.require(id);
    if (worker.state === 'running') return this.view(worker);
    if (worker.state !== 'stopped') throw new ConflictError(`${id} is ${worker.state}: only a stopped worker can be started`);
    const profile = await this.profileOf(worker);
    await this.clientFor(profile).start(worker.instanceId);
    const now = Date.now();
    await this.store.update(id, { state: 'running', stage: `starting (${why})`, runningSince: now, lastActivity: now });
    await this.store.billingFrom(worker, worker.pricePerHour, now);
    this.options.log(`started ${id} (${why})`);
    return await this.announce(id);
  }

  async destroy(id: string): Promise<RentedWorkerView> {
    const worker = await this.require(id);
    if (worker.state === 'destroyed') return this.view(worker);
    const profile = await this.profileOf(worker);
    await this.store.update(id, { attached: false });
    await this.pool.detach(this.urlOf(worker));
    await this.clientFor(profile).destroy(worker.instanceId);
    const now = Date.now();
    await this.store.update(id, {
      state: 'destroyed',
      stage: 'destroyed',
      attached: false,
      spentBefore: this.costOf(worker, now),
      runningSince: null,
    });
    await this.store.billingEnds(id, now);
    forgetTokenFile(worker);
    this.options.log(`destroyed ${id}`);
    return await this.announce(id);
  }

  /**
   * The provider took the instance back (an interruptible one reclaimed, or stopped from outside while it
   * served): out of the pool, destroyed so nothing of it bills, recorded. Its runs in flight retry on
   * another worker of the group, and the scaler rents a replacement while work waits.
   */
  async reclaimed(id: string, seen: string): Promise<RentedWorkerView> {
    const worker = await this.require(id);
    const client = this.clientFor(await this.profileOf(worker));
    await this.store.update(id, { attached: false });
    await this.pool.detach(this.urlOf(worker));
    const cleanup = await destroyQuietly(client, worker.instanceId);
    const now = Date.now();
    await this.store.update(id, {
      state: cleanup.startsWith('it was destroyed') ? 'destroyed' : 'stopped',
      stage: `reclaimed by the provider (${seen})`,
      attached: false,
      spentBefore: this.costOf(worker, now),
      runningSince: null,
    });
    await this.store.billingEnds(id, now);
    forgetTokenFile(worker);
    await this.recordEvent(id, 'reclaimed', 'provider', `${seen}; ${cleanup}`);
    return await this.announce(id);
  }

  /** Whether a bring-up of it is being followed now (a new instance not yet healthy). */
  bringingUp(id: string): boolean {
    return this.busy.has(id);
  }

  /** A run used it (the server's own runs, or a CLI's, reported through the API): the idle clock restarts. */
  async touch(url: string): Promise<boolean> {
    // Called at every run's start: a worker that is not rented costs nothing here, a rented one one lookup.
    const address = isProviderUrl(url) ? parseProviderUrl(url) : null;
    const id = address ? `${address.provider.name}:${address.id}` : url;
    // A record id is `<provider>:<instance>`; a ws:// URL is no rented worker, and costs no lookup.
    if (!/^[a-z]+:[^/]/.test(id)) return false;
    const worker = await this.store.worker(id);
    if (!worker) return false;
    await this.store.update(worker.id, { lastActivity: Date.now() });
    return true;
  }

  /** The pool id of a rented worker: its provider's URL (`<provider>://<instance>?tls=1`). */
  urlOf(worker: Pick<RentedWorker, 'provider' | 'instanceId' | 'tlsFingerprint'>): string {
    return providerUrl({ provider: providerNamed(worker.provider), id: worker.instanceId, tls: worker.tlsFingerprint !== null });
  }

  guardFields(worker: RentedWorker) {
    return {
      state: worker.state === 'running' ? ('running' as const) : ('stopped' as const),
      runningSince: worker.runningSince,
      spentBefore: worker.spentBefore,
      pricePerHour: worker.pricePerHour,
      lastActivity: worker.lastActivity,
    };
  }

  /** USD so far: earlier running periods, plus the current one at its hourly price. */
  private costOf(worker: RentedWorker, now: number): number {
    return spendOf({ ...this.guardFields(worker), runsInFlight: 0 }, now);
  }

  async profileOf(worker: RentedWorker): Promise<WorkerProfile> {
    const profile = await this.store.profile(worker.profile);
    if (!profile)
      throw new ConflictError(`the profile "${worker.profile}" of ${worker.id} was removed: add it again to manage the worker, or use the provider's console`);
    return profile;
  }

  async recordEvent(worker: string, action: string, reason: string, detail: string): Promise<GuardEvent> {
    const event = await this.store.addEvent(worker, action, reason, detail);
    this.options.log(`cost guard: ${action} ${worker} (${reason}: ${detail})`);
    this.emit('guard', event);
    return event;
  }

  /** Follows a new instance until its worker answers the token handshake; any failure destroys it. */
  private async bringUp(id: string, profile: WorkerProfile, client: ProviderClient, attach: boolean): Promise<void> {
    // Followed once: marked before anything is awaited, so a leader resuming bring-ups meanwhile leaves it alone.
    if (this.busy.has(id)) return;
    this.busy.add(id);
    const deadline = Date.now() + this.options.bootTimeoutMs;
    let worker: RentedWorker;
    try {
      worker = await this.require(id);
    } catch (error) {
      this.busy.delete(id);
      throw error;
    }
    try {
      for (;;) {
        if (this.closed) return;
        if (Date.now() > deadline) throw new Error(`the worker did not answer within ${Math.round(this.options.bootTimeoutMs / 1000)} s`);
        const instance = await client.get(worker.instanceId);
        if (this.closed) return;
        if (!instance) throw new Error('the provider no longer has the instance');
        if (instance.state === 'stopped' || instance.state === 'terminated')
          throw new Error(`the instance ${instance.state} while starting (did the image fail to start?)`);
        const over = overCeiling(instance.pricePerHour, profile);
        if (over) throw new Error(over);
        if (instance.state === 'running') {
          const current = await this.require(id);
          if (instance.pricePerHour !== null && instance.pricePerHour !== current.pricePerHour)
            await this.store.billingFrom(current, instance.pricePerHour, Date.now());
          await this.store.update(id, {
            state: 'running',
            stage: 'starting: pulling the image and starting the worker',
            gpu: instance.gpu ?? worker.gpu,
            pricePerHour: instance.pricePerHour ?? worker.pricePerHour,
          });
          await this.announce(id);
          if (await this.answers(worker)) break;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      if (this.closed) return;
      await this.store.update(id, { stage: 'healthy: the worker answered the token handshake', lastActivity: Date.now() });
      if (attach) {
        await this.pool.attach(await this.specOf(worker));
        await this.store.update(id, { attached: true });
      }
      await this.announce(id);
    } catch (error) {
      // Stopping mid-start: the next process follows it again (resume); never destroy it on the way out.
      if (this.closed) return;
      const reason = (error as Error).message;
      let cleanup = 'the instance was destroyed, so nothing is left billing';
      try {
        await client.destroy(worker.instanceId);
      } catch (destroyError) {
        cleanup = `destroying the instance failed too (${(destroyError as Error).message}): destroy ${worker.instanceId} in the provider's console`;
      }
      forgetTokenFile(worker);
      if (cleanup.startsWith('the instance was')) await this.store.billingEnds(id, Date.now());
      await this.store.update(id, {
        state: cleanup.startsWith('the instance was') ? 'failed' : 'running',
        stage: 'failed',
        error: `${reason}; ${cleanup}`,
        runningSince: null,
      });
      await this.recordEvent(id, 'destroy', 'create-failed', `${reason}; ${cleanup}`);
      await this.announce(id);
    } finally {
      this.busy.delete(id);
    }
  }

  /** One handshake with the token (and the pinned certificate): the worker is up. */
  private async answers(worker: RentedWorker): Promise<boolean> {
    if (this.options.handshake) return this.options.handshake(worker);
    const bridge = createPythonBridge({
      ...this.bridgeOptionsOf(worker),
      locator: providerLocator,
      env: this.options.env,
      reconnect: { enabled: false },
      keepalive: false,
      openTimeoutMs: 5_000,
    });
    try {
      await bridge.connect();
      return true;
    } catch {
      return false;
    } finally {
      await bridge.close().catch(() => undefined);
    }
  }

  /** Its token: unsealed (a worker an earlier release rented: from its file). */
  private tokenOf(worker: RentedWorker): { token: string } | { tokenFile: string } {
    if (worker.tokenSealed === null) return { tokenFile: worker.tokenFile };
    if (!this.options.seal) throw new ConflictError(`the token of ${worker.id} is sealed, and this server has no NODETOOL_SECRETS_KEY_FILE to unseal it`);
    return { token: this.options.seal.open(worker.tokenSealed, worker.id) };
  }

  private bridgeOptionsOf(worker: RentedWorker) {
    const token = this.tokenOf(worker);
    return {
      wsUrl: this.urlOf(worker),
      workerTokenFile: 'tokenFile' in token ? token.tokenFile : '',
      workerToken: 'token' in token ? token.token : '',
      ...(worker.tlsFingerprint ? { tlsFingerprint: worker.tlsFingerprint } : {}),
    };
  }

  private async specOf(worker: RentedWorker): Promise<WorkerSpec> {
    const url = this.urlOf(worker);
    const profile = await this.store.profile(worker.profile);
    return {
      id: url,
      url,
      ...this.tokenOf(worker),
      labels: { rented: worker.profile, group: profile?.group ?? worker.profile },
      // A scaled profile's worker takes runs_per_worker at once; the scaler rents more for the rest.
      ...(profile?.scale ? { maxConcurrentRuns: profile.scale.runsPerWorker } : {}),
      ...(worker.tlsFingerprint ? { tlsFingerprint: worker.tlsFingerprint } : {}),
    };
  }

  private async require(id: string): Promise<RentedWorker> {
    const worker = await this.store.worker(id);
    if (!worker) throw new NotFoundError(`no rented worker ${id} (nodetool worker list)`);
    return worker;
  }

  private view(worker: RentedWorker): RentedWorkerView {
    const now = Date.now();
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
      url: this.urlOf(worker),
      tls_fingerprint: worker.tlsFingerprint,
      attached: worker.attached,
      created_at: worker.createdAt,
      uptime_seconds: worker.state === 'running' && worker.runningSince ? Math.round((now - worker.runningSince) / 1000) : 0,
      cost_so_far: Math.round(this.costOf(worker, now) * 10_000) / 10_000,
      last_activity: new Date(worker.lastActivity).toISOString(),
      error: worker.error,
    };
  }

  private async announce(id: string): Promise<RentedWorkerView> {
    const view = this.view(await this.require(id));
    this.emit('worker', view);
    return view;
  }
}

/** Destroys an instance we will not keep, saying how that went (for the event and the error). */
async function destroyQuietly(client: ProviderClient, id: string): Promise<string> {
  try {
    await client.destroy(id);
    return 'it was destroyed at once, so nothing is left billing';
  } catch (error) {
    return `destroying it failed (${(error as Error).message}): destroy ${id} in the provider's console`;
  }
}

/** A worker an earlier release rented kept its token in a file: it goes with the worker. */
function forgetTokenFile(worker: RentedWorker): void {
  if (worker.tokenFile) rmSync(worker.tokenFile, { force: true });
}
