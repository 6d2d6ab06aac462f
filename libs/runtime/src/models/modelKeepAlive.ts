import type { ResidentModel } from '@nt/api-contract';
import type { ConnectionStatus, PythonBridge } from '@nt/bridge';
import { formatKeepAlive, type KeepAliveMs } from './keepAlive.js';
import { KeepAliveRun } from './keepAliveRun.js';
import { leaseJobId, leaseKey } from './leaseIds.js';

/**
 * Keeps the models of finished runs loaded on one worker for their keep-alive, then releases them,
 * with nothing but the worker's protocol (it needs no change to the worker).
 *
 * How the worker frees models: `execute` records its `node_id` under its `job_id`, and `job.end`
 * releases the models of that job's nodes that no other open job also executed. So a model stays
 * loaded exactly as long as a job that executed its node stays open. The keep-alive therefore runs
 * the nodes that name a model under a *lease*: a worker job of its own, `keep-alive/<models>`, one
 * per set of models, instead of under the run's job. The run's job ends at run end as always; the
 * lease is ended by `job.end` when its keep-alive passes.
 *
 * - A run that uses a leased model extends the lease (the last run's keep-alive wins, as in
 *   Ollama); a lease is never released while a run that uses it is in flight.
 * - Node ids under a lease are `<node id>@<models>`, so two leases never share a node id (the worker
 *   keeps a node id's models while any open job has it).
 * - `job.end` over `models.evict` for the release: it frees exactly the lease's nodes, also ends the
 *   worker's bookkeeping of the job, and is a no-op for a job the worker no longer knows (a
 *   restarted worker), so a release can never free something twice. `models.evict` serves the
 *   explicit "evict everything".
 * - The worker's TTL backstop (NODETOOL_WORKER_JOB_TTL_SECONDS, 30 min of no activity) would end a
 *   lease held longer than that. Held leases are refreshed with `job.start` (idempotent; it renews
 *   the job's activity) every `refreshIntervalMs` (60 s), so the backstop only fires for a holder
 *   that died. A worker TTL at or below the refresh interval is the ceiling of what can be held.
 * - After a reconnect nothing tells a restarted worker from a network blip, so every lease with no
 *   run in flight is ended (a no-op on a restarted worker, a release on the same one) and
 *   forgotten: nothing leaks and nothing is released twice; a blip costs one reload.
 * - Detached (the CLI, which exits after its run): leases are left to a later process or the
 *   worker's backstop, since nothing here will be alive to release them; lease ids are stable, so a
 *   later process that uses the same model finds it loaded, extends it or evicts it.
 */
export interface ModelKeepAliveOptions {
  /** Leave leases to a later process or the worker's TTL instead of releasing them here. */
  detached?: boolean;
  /** How often held leases renew their activity on the worker. */
  refreshIntervalMs?: number;
  now?: () => number;
  /** Called after every change of what is held (for a UI). */
  onChange?: (resident: ResidentModel[]) => void;
  /** A release or refresh the worker did not take; the lease is retried after a reconnect. */
  onError?: (message: string) => void;
}

interface Lease {
  key: string;
  jobId: string;
  models: string[];
  since: number;
  lastUsed: number;
  keepAliveMs: KeepAliveMs;
  expiresAt: number;
  inFlight: number;
}

// setTimeout's longest delay; a later expiry re-arms.
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ModelKeepAlive {
  /** Runs that found their models kept loaded (hits) or had them loaded (misses), since this holder began. */
  readonly stats = { hits: 0, misses: 0 };
  private readonly leases = new Map<string, Lease>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private refresher: NodeJS.Timeout | undefined;
  private disposed = false;
  private lastSignature = '[]';

  constructor(
    private readonly bridge: PythonBridge,
    private readonly options: ModelKeepAliveOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    if (!options.detached) {
      bridge.on('reconnected', this.onReconnected);
      bridge.on('status', this.onStatus);
    }
  }

  get detached(): boolean {
    return this.options.detached === true;
  }

  /** The bookkeeping of one run with this keep-alive; call `finish()` when the run ends, on every outcome. */
  openRun(keepAliveMs: KeepAliveMs): KeepAliveRun {
    // Any negative value means "until evicted", as in Ollama.
    return new KeepAliveRun(this, keepAliveMs < 0 ? Infinity : keepAliveMs);
  }

  /** What is held now, soonest release first. */
  resident(): ResidentModel[] {
    const at = this.now();
    return [...this.leases.values()]
      .map((lease) => {
        const expiresAt = lease.inFlight > 0 || lease.expiresAt === Infinity ? null : lease.expiresAt;
        return {
          models: lease.models,
          job_id: lease.jobId,
          since: lease.since,
          last_used: lease.lastUsed,
          expires_at: expiresAt,
          remaining_ms: expiresAt === null ? null : Math.max(0, expiresAt - at),
          keep_alive: formatKeepAlive(lease.keepAliveMs),
          in_use: lease.inFlight,
        };
      })
      .sort((a, b) => (a.expires_at ?? Infinity) - (b.expires_at ?? Infinity));
  }

  /** Whether a model key is held (so it is certainly in the worker's cache). */
  holds(model: string): boolean {
    for (const lease of this.leases.values()) if (lease.models.includes(model)) return true;
    return false;
  }

  /**
   * Releases every lease that holds `repoId` (any file of it), and the lease another process may
   * hold for it alone. Returns the node ids the worker released.
   */
  async evict(repoId: string): Promise<{ released_nodes: string[]; leases: string[] }> {
    const matches = (model: string) => model === repoId || model.startsWith(`${repoId}:`);
    const keys = [...this.leases.values()].filter((lease) => lease.models.some(matches)).map((lease) => lease.key);
    if (!keys.includes(repoId)) keys.push(repoId);
    const released: string[] = [];
    const ended: string[] = [];
    for (const key of keys) {
      this.leases.delete(key);
      const reply = await this.bridge.endJob({ jobId: leaseJobId(key), reason: 'cancelled' });
      if (reply?.known) ended.push(leaseJobId(key));
      released.push(...(reply?.released_nodes ?? []));
    }
    this.changed();
    return { released_nodes: released, leases: ended };
  }

  /** `models.evict` with no scope (every loaded model not in use), then forgets every lease. */
  async evictAll(): Promise<{ evicted: string[] }> {
    const reply = await this.bridge.evictModels({});
    const leases = [...this.leases.values()];
    this.leases.clear();
    for (const lease of leases) await this.bridge.endJob({ jobId: lease.jobId, reason: 'cancelled' }).catch(() => undefined);
    this.changed();
    return { evicted: reply.evicted };
  }

  /** Releases every lease now (a server shutting down). Detached holders leave theirs. */
  async releaseAll(): Promise<void> {
    if (this.detached) return;
    const leases = [...this.leases.values()];
    this.leases.clear();
    await Promise.all(leases.map((lease) => this.bridge.endJob({ jobId: lease.jobId, reason: 'completed' }).catch(() => undefined)));
    this.changed();
  }

  /** Stops the timers and listeners; nothing is sent. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    clearInterval(this.refresher);
    this.bridge.off('reconnected', this.onReconnected);
    this.bridge.off('status', this.onStatus);
  }

  /** A run starts using the lease for these models: it is not released until the run finishes. */
  acquire(models: string[]): string {
    const key = leaseKey(models);
    const at = this.now();
    const held = this.leases.get(key);
    // A lease already held means the worker still has the models loaded; a new one, that it loads them.
    if (held) this.stats.hits++;
    else this.stats.misses++;
    const lease = held ?? this.newLease(key, at, [...new Set(models)].sort());
    lease.inFlight += 1;
    lease.lastUsed = at;
    this.leases.set(key, lease);
    this.changed();
    return key;
  }

  /**
   * A run finished: the leases it acquired are no longer in use by it, and every lease holding a
   * model it used now expires `keepAliveMs` from now. With 0, those leases (and ones another
   * process may hold for the same models) are released now, unless another run is using them.
   */
  async settle(acquired: Iterable<string>, touched: { keys: Set<string>; models: Set<string> }, keepAliveMs: KeepAliveMs): Promise<void> {
    const at = this.now();
    for (const key of acquired) {
      const lease = this.leases.get(key);
      if (lease) lease.inFlight = Math.max(0, lease.inFlight - 1);
      // Evicted while this run used it: its later nodes may have loaded the models again under the lease.
      else if (keepAliveMs !== 0) this.leases.set(key, { ...this.newLease(key, at), inFlight: 0 });
    }
    const releaseNow: string[] = [];
    for (const lease of this.leases.values()) {
      if (!lease.models.some((model) => touched.models.has(model))) continue;
      lease.lastUsed = at;
      lease.keepAliveMs = keepAliveMs;
      lease.expiresAt = at + keepAliveMs;
      if (lease.inFlight === 0 && keepAliveMs === 0) releaseNow.push(lease.key);
    }
    if (keepAliveMs === 0) {
      // Leases this process does not know (a CLI run before this one): released by their stable id.
      for (const key of touched.keys) if (!this.leases.has(key)) releaseNow.push(key);
    }
    await Promise.all(releaseNow.map((key) => this.release(key)));
    this.changed();
    this.schedule();
  }

  private newLease(key: string, at: number, models = key.split('+')): Lease {
    return { key, jobId: leaseJobId(key), models, since: at, lastUsed: at, keepAliveMs: 0, expiresAt: Infinity, inFlight: 0 };
  }

  private async release(key: string): Promise<void> {
    const lease = this.leases.get(key);
    if (lease && lease.inFlight > 0) return;
    this.leases.delete(key);
    try {
      await this.bridge.endJob({ jobId: leaseJobId(key), reason: 'completed' });
    } catch (error) {
      // Not sent (the link is down): hold it again, so the reconnect ends it.
      if (lease && !this.leases.has(key)) this.leases.set(key, lease);
      this.options.onError?.(`could not release ${leaseJobId(key)}: ${(error as Error).message}`);
    }
  }

  /** One timer, for the next lease to expire; the refresher runs while anything is held. */
  private schedule(): void {
    if (this.disposed || this.detached) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    let next = Infinity;
    for (const lease of this.leases.values()) if (lease.inFlight === 0) next = Math.min(next, lease.expiresAt);
    if (next !== Infinity) {
      this.timer = setTimeout(() => void this.expire(), Math.min(Math.max(0, next - this.now()), MAX_TIMER_MS));
      this.timer.unref();
    }
    if (this.leases.size > 0 && !this.refresher) {
      this.refresher = setInterval(() => void this.refresh(), this.options.refreshIntervalMs ?? 60_000);
      this.refresher.unref();
    } else if (this.leases.size === 0 && this.refresher) {
      clearInterval(this.refresher);
      this.refresher = undefined;
    }
  }

  private async expire(): Promise<void> {
    const at = this.now();
    const due = [...this.leases.values()].filter((lease) => lease.inFlight === 0 && lease.expiresAt <= at).map((lease) => lease.key);
    await Promise.all(due.map((key) => this.release(key)));
    if (due.length) this.changed();
    this.schedule();
  }

  private async refresh(): Promise<void> {
    for (const lease of [...this.leases.values()]) {
      if (lease.inFlight > 0) continue;
      await this.bridge.startJob({ jobId: lease.jobId }).catch((error: Error) => this.options.onError?.(`could not refresh ${lease.jobId}: ${error.message}`));
    }
  }

  private readonly onReconnected = () => {
    const idle = [...this.leases.values()].filter((lease) => lease.inFlight === 0).map((lease) => lease.key);
    void Promise.all(idle.map((key) => this.release(key))).then(() => {
      this.changed();
      this.schedule();
    });
  };

  private readonly onStatus = (status: ConnectionStatus) => {
    if (status.state !== 'closed' && status.state !== 'failed') return;
    // The bridge is gone for good: nothing can be sent, and the worker's TTL ends what is open.
    this.leases.clear();
    this.changed();
    this.dispose();
  };

  /** Tells onChange, when what is held really changed (a run that used no model changes nothing). */
  private changed(): void {
    const signature = JSON.stringify([...this.leases.values()].map((lease) => [lease.key, lease.expiresAt, lease.inFlight, lease.keepAliveMs]));
    if (signature === this.lastSignature) return;
    this.lastSignature = signature;
    this.options.onChange?.(this.resident());
  }
}
