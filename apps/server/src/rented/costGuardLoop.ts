import { PROVIDERS, providerClientFor, type ProviderClient } from '@nt/providers';
import { decide, orphansAmong, refusesNewRuns, type WorkerProfile } from '@nt/provisioning';
import type { WorkerPool } from '../workers/workerPool.js';
import { ConflictError } from '../errors.js';
import type { RentedWorkers } from './rentedWorkers.js';

export interface CostGuardOptions {
  env: NodeJS.ProcessEnv;
  /** How often running rented workers are checked (NODETOOL_COST_GUARD_INTERVAL_MS, 30 s). */
  intervalMs: number;
  /** How often the providers are searched for orphans (NODETOOL_RECONCILE_INTERVAL_MS, 10 min). */
  reconcileIntervalMs: number;
  /** What to do with an orphan: report it (default) or stop it (NODETOOL_RENT_ORPHANS=stop). */
  orphans: 'report' | 'stop';
  log?: (line: string) => void;
}

/**
 * The cost guard at work: every interval it stops running rented workers that are idle, past their
 * time to live or over their spend ceiling (never one with a run in flight), and at start and then
 * periodically it lists our instances at each provider and reports (or stops) those the server does
 * not know. Every action is an event with its reason (`guard` on RentedWorkers, GET
 * /api/rented-workers/events, the UI). It also decides whether a run may wake a stopped worker.
 */
export class CostGuardLoop {
  private timer: NodeJS.Timeout | null = null;
  private reconcileTimer: NodeJS.Timeout | null = null;
  private readonly reported = new Set<string>();
  private ticking = false;

  constructor(
    private readonly rented: RentedWorkers,
    private readonly pool: WorkerPool,
    private readonly options: CostGuardOptions & {
      /** Runs waiting in the queue: while any waits, no worker counts as idle (it may be the one they wait for). */
      queuedRuns?: () => number;
    },
    private readonly clientFor: (profile: Pick<WorkerProfile, 'provider' | 'apiKeyEnv'>) => ProviderClient = (profile) =>
      providerClientFor(profile, options.env),
  ) {}

  start(): void {
    // A check that fails (the database locked by another process, say) is logged and tried again next time.
    const safely = (what: string, work: () => Promise<void>) => () =>
      void work().catch((error: Error) => this.options.log?.(`cost guard: the ${what} failed and runs again later: ${error.message}`));
    this.timer = setInterval(
      safely('check', () => this.tick()),
      this.options.intervalMs,
    );
    this.timer.unref();
    safely('reconciliation', () => this.reconcile())();
    this.reconcileTimer = setInterval(
      safely('reconciliation', () => this.reconcile()),
      this.options.reconcileIntervalMs,
    );
    this.reconcileTimer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    this.timer = this.reconcileTimer = null;
  }

  /** One check of every running rented worker. */
  async tick(now = Date.now()): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      for (const worker of await this.rented.store.workers()) {
        if (worker.state !== 'running' || worker.stage.startsWith('starting: pulling') || worker.stage === 'provisioning: the provider is placing the instance')
          continue;
        let profile;
        try {
          profile = await this.rented.profileOf(worker);
        } catch {
          continue;
        }
        const member = this.pool.member(this.rented.urlOf(worker));
        const view = { ...this.rented.guardFields(worker), runsInFlight: member?.runsInFlight ?? 0 };
        // Past a hard limit it takes no new run, so the runs it has can end and it can be stopped.
        if (member) member.closedToNewRuns = refusesNewRuns(view, profile.guard, now);
        // A run waiting, or a worker that was just started and has not answered yet, is not idleness.
        const waitedOn = (this.options.queuedRuns?.() ?? 0) > 0 || (member !== undefined && !member.connected && worker.stage.startsWith('starting'));
        // A scaled profile's idle workers are the scaler's to release (scale.release_after); its min are never stopped for idleness.
        const idleStops = !waitedOn && !profile.scale;
        const decision = decide(view, idleStops ? profile.guard : { ...profile.guard, idleStopMinutes: 0 }, now);
        if (!decision) continue;
        try {
          // An interruptible instance is never kept stopped (resuming it would be a new bid): it goes.
          if (profile.interruptible) await this.rented.destroy(worker.id);
          else await this.rented.stop(worker.id, `cost guard: ${decision.reason}`);
          if (member) member.closedToNewRuns = null;
          await this.rented.recordEvent(worker.id, profile.interruptible ? 'destroy' : 'stop', decision.reason, decision.detail);
        } catch (error) {
          // Destroyed or stopped meanwhile by someone else: nothing left to do.
          if (error instanceof ConflictError) continue;
          await this.rented.recordEvent(worker.id, 'stop-failed', decision.reason, `${decision.detail}; stopping failed: ${(error as Error).message}`);
        }
      }
    } finally {
      this.ticking = false;
    }
  }

  /** Lists our instances at every provider whose key is set, and reports or stops the ones the server does not know. */
  async reconcile(): Promise<void> {
    const known = new Set((await this.rented.store.workers()).filter((worker) => worker.state !== 'destroyed').map((worker) => worker.id));
    // Every provider whose key this server has: a profile's api_key_env, else the provider's own variable.
    const keyEnvs = new Map<string, string>();
    for (const profile of await this.rented.store.profiles()) if (this.options.env[profile.apiKeyEnv]) keyEnvs.set(profile.provider, profile.apiKeyEnv);
    for (const provider of PROVIDERS)
      if (this.options.env[provider.keyVariable] && !keyEnvs.has(provider.name)) keyEnvs.set(provider.name, provider.keyVariable);
    for (const [provider, apiKeyEnv] of keyEnvs) {
      let orphans;
      try {
        orphans = orphansAmong(await this.clientFor({ provider, apiKeyEnv }).list(), known);
      } catch (error) {
        await this.rented.recordEvent(provider, 'reconcile-failed', 'provider', `listing the ${provider} instances failed: ${(error as Error).message}`);
        continue;
      }
      for (const orphan of orphans) {
        const id = `${orphan.provider}:${orphan.id}`;
        const detail = `${orphan.name} is ${orphan.state} at $${orphan.pricePerHour ?? '?'}/h, and this server did not create it (a crash, or another server)`;
        if (this.options.orphans === 'stop' && orphan.state === 'running') {
          try {
            await this.clientFor({ provider, apiKeyEnv }).stop(orphan.id);
            await this.rented.recordEvent(id, 'stop', 'orphan', detail);
          } catch (error) {
            await this.rented.recordEvent(id, 'stop-failed', 'orphan', `${detail}; stopping failed: ${(error as Error).message}`);
          }
        } else if (!this.reported.has(id)) {
          await this.rented.recordEvent(id, 'report', 'orphan', `${detail}; stop or destroy it in the provider's console, or set NODETOOL_RENT_ORPHANS=stop`);
        }
        this.reported.add(id);
      }
    }
  }

  /** A run needs a worker and none is connected: start the attached rented workers the guard stopped, if their profiles allow. */
  async wakeForRun(): Promise<{ waking: boolean; refusal?: string }> {
    const profiles = new Map((await this.rented.store.profiles()).map((profile) => [profile.name, profile]));
    // A scaled profile's stopped workers are the scaler's to start (it knows the group's demand and caps).
    const stopped = (await this.rented.store.workers()).filter(
      (worker) => worker.attached && worker.state === 'stopped' && profiles.get(worker.profile)?.scale == null,
    );
    if (!stopped.length) return { waking: false };
    // A worker whose profile was removed cannot be managed: it is not started.
    const restartable = stopped.filter((worker) => profiles.get(worker.profile)?.guard.onStoppedRun === 'restart');
    if (!restartable.length) {
      return {
        waking: false,
        refusal: `the rented worker ${stopped.map((worker) => worker.id).join(', ')} is stopped and its profile forbids starting it for a run (guard.on_stopped_run: fail): start it with nodetool worker start`,
      };
    }
    for (const worker of restartable) {
      void this.rented.start(worker.id, 'a run is waiting').then(
        () => this.rented.recordEvent(worker.id, 'start', 'run-waiting', 'a run needed a worker and none was connected'),
        (error: Error) => this.rented.recordEvent(worker.id, 'start-failed', 'run-waiting', error.message),
      );
    }
    return { waking: true };
  }
}
