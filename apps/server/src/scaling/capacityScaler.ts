import { EventEmitter } from 'node:events';
import type { CapacityReport, RunWaiting } from '@nt/api-contract';
import { findProvider, providerClientFor, type ProviderClient } from '@nt/providers';
import {
  planScaling,
  utcDayStart,
  type GroupView,
  type ScaleAction,
  type ScaledProfileView,
  type ScaledWorkerView,
  type WorkerProfile,
} from '@nt/provisioning';
import type { ProfileCatalogs, RentedWorker } from '@nt/data';
import type { NodeMetadata } from '@nt/protocol';
import type { RentedWorkers } from '../rented/rentedWorkers.js';
import type { WorkerPool } from '../workers/workerPool.js';
import { capacityReport } from './capacityReport.js';
import { quoteGroup } from './offerQuotes.js';

/** The group of runs that wait for a worker a cluster's autoscaler brings (NODETOOL_WORKERS_AUTOSCALED). */
export const CLUSTER_GROUP = '@cluster';

export interface CapacityScalerOptions {
  env: NodeJS.ProcessEnv;
  /** NODETOOL_WORKERS_AUTOSCALED: the pool's own workers come and go with a cluster's autoscaler; their catalog is kept too. */
  workersAutoscaled?: boolean;
  /** How often demand and idleness are looked at (NODETOOL_SCALE_INTERVAL_MS); a waiting run also asks at once. */
  intervalMs: number;
  /** NODETOOL_RENT_MAX_INSTANCES */
  maxInstances: number;
  log: (line: string) => void;
}

/** A run waiting for a scaled group: which group, and since when. */
export interface CapacityDemand {
  group: string;
  since: number;
}

export interface CapacityScalerEvents {
  /** What the runs of a group wait for changed (a new stage, a worker named). */
  waiting: [group: string];
  /** Nothing will come for the waiting runs of a group (the daily cap, every profile braked): they fail with this. */
  hopeless: [group: string, reason: string];
}

type Note = Omit<RunWaiting, 'group' | 'since'> & { since: number };

/** What the scaler last read of the database: the profiles, the live rented workers, each profile's catalog. */
interface KnownState {
  profiles: WorkerProfile[];
  workers: RentedWorker[];
  catalogs: Map<string, NodeMetadata[] | null>;
}

/**
 * Elastic capacity: every interval, and whenever a run starts to wait, it looks at the runs waiting
 * for each scaled group and the workers of its profiles, and carries out planScaling's decision: start
 * a stopped worker or rent the cheapest offer across the group's profiles, release idle ones above
 * `min`. Every rental and release is a guard event naming why (the offers compared, their prices), and
 * what the waiting runs wait for is kept per group for the jobs (`waitingFor`).
 */
export class CapacityScaler extends EventEmitter<CapacityScalerEvents> {
  /** Since when each rented worker (its pool id) has had no run in flight, as last seen. */
  private readonly idleSince = new Map<string, number>();
  private readonly notes = new Map<string, Note>();
  /** Workers seen connected since they last started: only such a worker's silence can be a reclaim. */
  private readonly seenConnected = new Set<string>();
  /** The last refusal recorded per group, and the profiles braked now: each is an event once, not once a tick. */
  private readonly hopeless = new Map<string, string>();
  private readonly braked = new Set<string>();
  /** A group no provider had an offer for is asked again only after a pause (providers' rate limits, one event per answer). */
  private readonly noOfferUntil = new Map<string, { until: number; detail: string }>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private again = false;
  /** Read at every look and after every change the scaler makes: what the synchronous questions (runs matched to a group, their waiting text) are answered from. */
  private known: KnownState = { profiles: [], workers: [], catalogs: new Map() };
  private refreshesBegun = 0;
  private refreshShown = 0;

  constructor(
    private readonly rented: RentedWorkers,
    private readonly pool: WorkerPool,
    private readonly catalogs: ProfileCatalogs,
    private readonly demand: () => CapacityDemand[],
    private readonly options: CapacityScalerOptions,
    private readonly clientFor: (profile: WorkerProfile) => ProviderClient = (profile) => providerClientFor(profile, options.env),
  ) {
    super();
  }

  start(): void {
    // A worker can connect, take a run and be taken back between two looks: its connection is noted as it happens.
    this.pool.on('changed', this.noteConnected);
    this.rented.on('worker', this.workerChanged);
    this.timer = setInterval(() => this.poke(), this.options.intervalMs);
    this.timer.unref();
    this.poke();
  }

  stop(): void {
    this.pool.off('changed', this.noteConnected);
    this.rented.off('worker', this.workerChanged);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Look now (a run began to wait); a look under way is followed by one more. Only while started: on a
   * replica that does not lead, the leader's scaler rents for its waiting runs (SharedPool).
   */
  poke(): void {
    if (!this.timer) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.tick()
      .catch((error: Error) => this.options.log(`scaler: a check failed and runs again later: ${error.message}`))
      .finally(() => {
        this.ticking = null;
        if (this.again && this.timer) {
          this.again = false;
          this.poke();
        }
      });
  }

  /** Waits for the check under way (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.ticking) await this.ticking;
  }

  /** Whether any profile scales: then, with no worker connected, runs can still be taken (they wait for one). */
  get active(): boolean {
    return this.known.profiles.some((profile) => profile.scale !== null);
  }

  /** Every profile, as last read. */
  get profiles(): readonly WorkerProfile[] {
    return this.known.profiles;
  }

  /** The catalog a profile's workers (or the cluster's, CLUSTER_GROUP) last announced, as last read. */
  catalogOf(profile: string): NodeMetadata[] | null {
    return this.known.catalogs.get(profile) ?? null;
  }

  /** Reads the profiles, the live rented workers and the catalogs again (at every look, and after a profile changed). */
  async refresh(): Promise<void> {
    // Reads overlap (a look, a profile saved, each replica's second): one begun earlier never replaces a later one's.
    const begun = ++this.refreshesBegun;
    const [profiles, workers] = await Promise.all([this.rented.store.profiles(), this.rented.store.liveWorkers()]);
    const names = [...profiles.map((profile) => profile.name), CLUSTER_GROUP];
    const catalogs = await Promise.all(names.map(async (name) => [name, await this.catalogs.get(name)] as const));
    if (begun < this.refreshShown) return;
    this.refreshShown = begun;
    this.known = { profiles, workers, catalogs: new Map(catalogs) };
  }

  /** One look: remember catalogs, plan, act. */
  async tick(now = Date.now()): Promise<void> {
    await this.refresh();
    if (this.options.workersAutoscaled) await this.observeCluster();
    const profiles = this.known.profiles.filter((profile) => profile.scale !== null);
    if (!profiles.length) return;
    await this.observe(this.known.workers, now);
    await this.findReclaimed(profiles);
    await this.refresh();
    const workers = this.known.workers;
    const waiting = this.demand();
    const groups = await Promise.all(
      [...new Set(profiles.map((profile) => profile.group))].map((group) => this.groupView(group, profiles, workers, waiting, now)),
    );
    // The caps are RentedWorkers': the same for the scaler as for a rental by hand.
    const rentingStopped = await this.rented.spendingStopped(now);
    const plan = planScaling({
      groups,
      now,
      rentingStopped,
      serverRoom: this.options.maxInstances - workers.length,
    });
    await this.recordBrakes(groups);
    for (const { group, reason } of plan.hopeless) {
      // Once per cause (the cap once a day: its amount grows while anything bills): the event says why runs
      // failed without a rental; the runs' errors say it too.
      const cause = rentingStopped ? `daily-cap ${utcDayStart(now)}` : reason;
      if (this.hopeless.get(group) !== cause)
        await this.rented.recordEvent(`group:${group}`, 'refuse', rentingStopped ? 'daily-cap' : 'bring-ups-failing', reason);
      this.hopeless.set(group, cause);
      this.emit('hopeless', group, reason);
    }
    for (const action of plan.actions) await this.act(action, profiles);
    if (plan.actions.length) await this.refresh();
    for (const group of groups) this.noteIdle(group, plan.actions, now);
  }

  /** GET /api/capacity. */
  async report(now = Date.now()): Promise<CapacityReport> {
    return capacityReport(
      {
        rented: this.rented,
        pool: this.pool,
        demand: this.demand(),
        waitingFor: (group) => this.waitingFor(group, now),
      },
      now,
    );
  }

  /** What a waiting run of the group waits for now: a worker coming (its GPU, provider, price, stage), or the scaler's last word. */
  waitingFor(group: string, now = Date.now()): RunWaiting {
    const coming = this.comingWorker(group);
    if (!coming && !this.notes.has(group)) {
      // The first run to wait: nothing said yet, so nothing to announce; the clock starts now.
      const text =
        group === CLUSTER_GROUP
          ? 'waiting for a worker: the cluster scales its workers on the queue (NODETOOL_WORKERS_AUTOSCALED)'
          : 'waiting for a worker: the scaler is looking';
      this.notes.set(group, { stage: 'waiting', text, since: now });
    }
    const note = coming ?? (this.notes.get(group) as Note);
    const seconds = Math.max(0, Math.round((now - note.since) / 1000));
    return {
      group,
      stage: note.stage,
      text: `${note.text}, ${seconds} s`,
      since: new Date(note.since).toISOString(),
      ...(note.worker ? { worker: note.worker } : {}),
    };
  }

  /** On a replica that does not lead: what the leader's scaler said its group's waiting runs wait for (RunEventBus). */
  heard(waiting: RunWaiting): void {
    this.notes.set(waiting.group, {
      stage: waiting.stage,
      text: waiting.text.replace(/, \d+ s$/, ''),
      since: Date.parse(waiting.since),
      ...(waiting.worker ? { worker: waiting.worker } : {}),
    });
  }

  /** A profile that just got braked for failing bring-ups is an event naming the failures; one released from it is forgotten. */
  private async recordBrakes(groups: GroupView[]): Promise<void> {
    for (const view of groups.flatMap((group) => group.profiles)) {
      const name = view.profile.name;
      if (view.braked && !this.braked.has(name)) await this.rented.recordEvent(`profile:${name}`, 'brake', 'bring-ups-failing', view.braked);
      if (view.braked) this.braked.add(name);
      else this.braked.delete(name);
    }
  }

  /** A rented worker changed (booted, started, failed): what waiting runs read of it is read again. */
  private readonly workerChanged = (): void => {
    this.refresh().catch((error: Error) => this.options.log(`scaler: could not read the rented workers: ${error.message}`));
  };

  private readonly noteConnected = (): void => {
    for (const worker of this.known.workers) if (this.pool.member(this.rented.urlOf(worker))?.connected) this.seenConnected.add(worker.id);
  };

  /**
   * A worker of a scaled profile that served and went silent is asked for at its provider: stopped or
   * gone there, it was taken back (an interruptible instance reclaimed). It is destroyed and recorded, so
   * the plan that follows sees the capacity missing and rents a replacement for the work still waiting.
   */
  private async findReclaimed(profiles: WorkerProfile[]): Promise<void> {
    const scaled = new Map(profiles.map((profile) => [profile.name, profile]));
    for (const worker of this.known.workers) {
      const profile = scaled.get(worker.profile);
      if (!profile || worker.state !== 'running' || !this.seenConnected.has(worker.id) || this.rented.bringingUp(worker.id)) continue;
      if (this.pool.member(this.rented.urlOf(worker))?.connected) continue;
      const instance = await this.clientFor(profile)
        .get(worker.instanceId)
        .catch(() => undefined);
      // Unknown (the provider did not answer): ask again next time, never assume.
      if (instance === undefined || (instance && instance.state !== 'stopped' && instance.state !== 'terminated')) continue;
      this.seenConnected.delete(worker.id);
      const seen = instance
        ? `${profile.provider} reports it ${instance.state}${profile.interruptible ? ' (interruptible)' : ''}`
        : `${profile.provider} no longer has it`;
      this.options.log(`scaler: ${worker.id} was taken back: ${seen}`);
      await this.rented.reclaimed(worker.id, seen);
    }
  }

  /** The catalog of the pool's own connected workers (a cluster's), kept so a run waiting for one is checked against it. */
  private async observeCluster(): Promise<void> {
    const nodes = this.pool
      .connected()
      .filter((member) => member.labels['rented'] === undefined)
      .flatMap((member) => member.supervisor.bridge?.getNodeMetadata() ?? []);
    if (nodes.length) await this.catalogs.remember(CLUSTER_GROUP, [...new Map(nodes.map((node) => [node.node_type, node])).values()]);
  }

  /** Catalogs of connected rented workers are kept for their profiles; idle clocks follow runs in flight. */
  private async observe(workers: RentedWorker[], now: number): Promise<void> {
    for (const worker of workers) {
      const member = this.pool.member(this.rented.urlOf(worker));
      const nodes = member?.connected ? member.supervisor.bridge?.getNodeMetadata() : undefined;
      if (nodes?.length) await this.catalogs.remember(worker.profile, nodes);
      if (member?.connected) this.seenConnected.add(worker.id);
      else if (worker.state !== 'running') this.seenConnected.delete(worker.id);
      const key = worker.id;
      if (!member?.connected || member.runsInFlight > 0) this.idleSince.delete(key);
      else this.idleSince.set(key, Math.max(this.idleSince.get(key) ?? now, worker.lastActivity));
    }
  }

  private async groupView(group: string, profiles: WorkerProfile[], workers: RentedWorker[], waiting: CapacityDemand[], now: number): Promise<GroupView> {
    const inGroup = profiles.filter((profile) => profile.group === group);
    return {
      group,
      waitingSince: waiting.filter((run) => run.group === group).map((run) => run.since),
      profiles: await Promise.all(
        inGroup.map(async (profile): Promise<ScaledProfileView> => ({
          profile: profile as ScaledProfileView['profile'],
          workers: workers.filter((worker) => worker.profile === profile.name).map((worker) => this.workerView(worker)),
          braked: await this.rented.braked(profile.name, now),
        })),
      ),
    };
  }

  private workerView(worker: RentedWorker): ScaledWorkerView {
    const member = this.pool.member(this.rented.urlOf(worker));
    // A worker the guard stopped at its spend ceiling would be stopped again at once: it is not one to start.
    return {
      id: worker.id,
      state: worker.state === 'stopped' ? 'stopped' : member?.connected ? 'running' : 'booting',
      keepStopped: worker.state === 'stopped' && worker.stage.includes('cost guard: spend'),
      runsInFlight: member?.runsInFlight ?? 0,
      idleSince: this.idleSince.get(worker.id) ?? null,
    };
  }

  private async act(action: ScaleAction, profiles: WorkerProfile[]): Promise<void> {
    try {
      if (action.kind === 'start') {
        const group = profiles.find((profile) => profile.name === action.profile)?.group ?? action.profile;
        this.note(group, { stage: 'starting', text: `waiting for a worker: starting the stopped ${action.worker}`, worker: action.worker });
        this.seenConnected.delete(action.worker);
        await this.rented.start(action.worker, `scaler: ${action.reason}`);
        await this.rented.recordEvent(action.worker, 'start', 'scale-up', action.reason);
      } else if (action.kind === 'release') {
        if (action.how === 'stop') await this.rented.stop(action.worker, 'scaler: idle');
        else await this.rented.destroy(action.worker);
        this.idleSince.delete(action.worker);
        await this.rented.recordEvent(action.worker, action.how, 'scale-down', action.reason);
      } else {
        await this.rent(
          action,
          profiles.filter((profile) => action.profiles.includes(profile.name)),
        );
      }
    } catch (error) {
      const on = action.kind === 'rent' ? `group:${action.group}` : action.worker;
      await this.rented.recordEvent(
        on,
        `${action.kind}-failed`,
        action.kind === 'release' ? 'scale-down' : 'scale-up',
        `${action.reason}; ${(error as Error).message}`,
      );
    }
  }

  /** Quotes every candidate profile, rents the cheapest, and says which offers were compared. */
  private async rent(action: Extract<ScaleAction, { kind: 'rent' }>, candidates: WorkerProfile[]): Promise<void> {
    const paused = this.noOfferUntil.get(action.group);
    if (paused && Date.now() < paused.until) return;
    const names = [...new Set(candidates.map((profile) => findProvider(profile.provider)?.displayName ?? profile.provider))].join(', ');
    this.note(action.group, { stage: 'renting', text: `waiting for a worker: asking ${names} for offers` });
    const { chosen, compared } = await quoteGroup(candidates, this.clientFor);
    if (!chosen) {
      const detail = `no offer for the group ${action.group}: ${compared.join('; ')}`;
      this.note(action.group, { stage: 'waiting', text: `waiting for a worker: ${detail}` });
      if (paused?.detail !== detail) await this.rented.recordEvent(`group:${action.group}`, 'rent-failed', 'no-offer', detail);
      this.noOfferUntil.set(action.group, { until: Date.now() + Math.max(this.options.intervalMs * 6, 1_000), detail });
      return;
    }
    this.noOfferUntil.delete(action.group);
    const view = await this.rented.create(chosen.profile, true);
    const why = `${action.reason}; chose ${chosen.profile} (${chosen.gpu} on ${chosen.provider} at $${chosen.pricePerHour.toFixed(3)}/h); compared: ${compared.join('; ')}`;
    this.options.log(`scaler: rented ${view.id} for the group ${action.group}: ${why}`);
    await this.rented.recordEvent(view.id, 'rent', 'scale-up', why);
    // The runs read what they wait for from what the scaler knows: it knows the new worker first.
    await this.refresh();
    this.emit('waiting', action.group);
  }

  /** The newest worker of the group that is being rented, booted or started, as the runs waiting for it should read it. */
  private comingWorker(group: string): Note | null {
    const profiles = new Set(this.known.profiles.filter((profile) => profile.group === group).map((profile) => profile.name));
    const coming = this.known.workers
      .filter((worker) => profiles.has(worker.profile) && (worker.state === 'provisioning' || worker.state === 'running'))
      .filter((worker) => !this.pool.member(this.rented.urlOf(worker))?.connected)
      .at(-1);
    if (!coming) return null;
    const provider = findProvider(coming.provider)?.displayName ?? coming.provider;
    const price = coming.pricePerHour === null ? 'a price not known yet' : `$${coming.pricePerHour.toFixed(2)}/h`;
    const phase = coming.state === 'provisioning' ? 'the provider is placing it' : coming.stage.startsWith('starting (') ? 'starting' : 'booting';
    return {
      stage: phase === 'starting' ? 'starting' : coming.state === 'provisioning' ? 'renting' : 'booting',
      text: `waiting for a worker: renting ${coming.gpu ?? 'a GPU'} on ${provider} at ${price} (${coming.id}), ${phase}`,
      since: Date.parse(coming.createdAt),
      worker: coming.id,
    };
  }

  /** With nothing done for a group whose runs wait, say why (start_after not reached, at scale.max, the server's cap). */
  private noteIdle(group: GroupView, actions: ScaleAction[], now: number): void {
    if (!group.waitingSince.length || this.comingWorker(group.group)) return;
    if (actions.some((action) => (action.kind === 'rent' && action.group === group.group) || action.kind === 'start')) return;
    const note = this.notes.get(group.group);
    if (note && note.stage === 'waiting' && note.text.includes('no offer')) return;
    const max = group.profiles.reduce((sum, view) => sum + view.profile.scale.max, 0);
    const startAfter = Math.min(...group.profiles.map((view) => view.profile.scale.startAfterSeconds));
    const oldest = Math.min(...group.waitingSince);
    const text =
      now - oldest < startAfter * 1000
        ? `waiting for a worker: the group rents one after ${startAfter} s of waiting (scale.start_after)`
        : `waiting for a worker: the group's workers are busy, and it runs at most ${max} (scale.max) or the server's NODETOOL_RENT_MAX_INSTANCES`;
    this.note(group.group, { stage: 'waiting', text });
  }

  private note(group: string, note: Omit<Note, 'since'>): void {
    const previous = this.notes.get(group);
    if (previous && previous.text === note.text && previous.stage === note.stage) return;
    this.notes.set(group, { ...note, since: Date.now() });
    this.emit('waiting', group);
  }
}
