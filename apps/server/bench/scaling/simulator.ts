import { planScaling, type OfferAnswer, type ScaledProfileView, type WorkerProfile } from '@nt/provisioning';
import { bootSeconds } from './market.js';
import { seeded, type TraceRun } from './trace.js';

/** A rented worker in simulated time (seconds after midnight). */
interface SimWorker {
  id: string;
  profile: string;
  provider: 'runpod' | 'vast';
  pricePerHour: number;
  rentedAt: number;
  readyAt: number;
  busyUntil: number;
  idleSince: number;
  releasedAt: number | null;
}

/** How capacity is decided: our scaler's plan every tick, fixed workers all day, or the oracle. */
export type Policy =
  { kind: 'scaler'; profiles: WorkerProfile[]; tickSeconds: number } | { kind: 'fixed'; workers: number } | { kind: 'oracle'; profiles: WorkerProfile[] };

/** Quotes the profiles at simulated time t (through the fixture providers' APIs) and answers the cheapest, or null. */
export type Quote = (t: number, profiles: WorkerProfile[]) => Promise<Extract<OfferAnswer, { pricePerHour: number }> | null>;

export interface SimResult {
  cost: number;
  waits: number[];
  rentals: number;
  boots: number[];
}

/**
 * Replays a day second by second: runs arrive, wait FIFO, start on a ready idle worker; the policy
 * rents (booting for its provider's boot time, billed from the rental) and releases (billing stops).
 */
export async function simulate(trace: TraceRun[], policy: Policy, quote: Quote, seed: number): Promise<SimResult> {
  const random = seeded(seed * 13 + 5);
  const workers: SimWorker[] = [];
  const queue: TraceRun[] = [];
  const waits: number[] = [];
  const boots: number[] = [];
  const rent = async (t: number, profiles: WorkerProfile[]) => {
    const offer = await quote(t, profiles);
    if (!offer) return;
    const provider = offer.provider as 'runpod' | 'vast';
    const boot = t === 0 && policy.kind === 'fixed' ? 0 : bootSeconds(provider, random);
    boots.push(boot);
    workers.push({
      id: `w${workers.length}`,
      profile: offer.profile,
      provider,
      pricePerHour: offer.pricePerHour,
      rentedAt: t,
      readyAt: t + boot,
      busyUntil: 0,
      idleSince: t + boot,
      releasedAt: null,
    });
  };
  const live = () => workers.filter((worker) => worker.releasedAt === null);
  if (policy.kind === 'fixed') for (let index = 0; index < policy.workers; index++) await rent(0, []);
  let next = 0;
  const end = 24 * 3600;
  for (let t = 0; t < end || queue.length || live().some((worker) => worker.busyUntil > t); t++) {
    while (next < trace.length && (trace[next] as TraceRun).at <= t) queue.push(trace[next++] as TraceRun);
    for (const worker of live()) {
      if (worker.readyAt > t || worker.busyUntil > t || !queue.length) continue;
      const run = queue.shift() as TraceRun;
      waits.push(t - run.at);
      worker.busyUntil = t + run.seconds;
    }
    for (const worker of live()) if (worker.busyUntil === t) worker.idleSince = t;
    if (policy.kind === 'oracle') await oracleStep(t, policy.profiles, workers, queue, rent);
    if (policy.kind === 'scaler' && t % policy.tickSeconds === 0) await scalerStep(t, policy.profiles, workers, queue, rent);
  }
  const closing = Math.max(end, ...workers.map((worker) => worker.busyUntil));
  const cost = workers.reduce((sum, worker) => sum + (((worker.releasedAt ?? closing) - worker.rentedAt) / 3600) * worker.pricePerHour, 0);
  return { cost, waits, rentals: workers.length, boots };
}

/**
 * The oracle: rents the cheapest offer the moment a run has no worker coming, releases a worker the
 * moment it has nothing to do. It keeps to the same profiles and their scale.max as the scaler.
 */
async function oracleStep(
  t: number,
  profiles: WorkerProfile[],
  workers: SimWorker[],
  queue: TraceRun[],
  rent: (t: number, profiles: WorkerProfile[]) => Promise<void>,
) {
  const live = () => workers.filter((worker) => worker.releasedAt === null);
  const coming = live().filter((worker) => worker.readyAt > t).length;
  for (let wanted = queue.length - coming; wanted > 0; wanted--) {
    const room = profiles.filter((profile) => live().filter((worker) => worker.profile === profile.name).length < (profile.scale?.max ?? 0));
    if (!room.length) break;
    await rent(t, room);
  }
  if (!queue.length) for (const worker of live()) if (worker.readyAt <= t && worker.busyUntil <= t) worker.releasedAt = t;
}

/** Our scaler: planScaling's decision every tick, from the same state the server would give it. */
async function scalerStep(
  t: number,
  profiles: WorkerProfile[],
  workers: SimWorker[],
  queue: TraceRun[],
  rent: (t: number, profiles: WorkerProfile[]) => Promise<void>,
) {
  const live = workers.filter((worker) => worker.releasedAt === null);
  const views: ScaledProfileView[] = profiles.map((profile) => ({
    profile: profile as ScaledProfileView['profile'],
    braked: null,
    workers: live
      .filter((worker) => worker.profile === profile.name)
      .map((worker) => ({
        id: worker.id,
        state: worker.readyAt > t ? ('booting' as const) : ('running' as const),
        runsInFlight: worker.busyUntil > t ? 1 : 0,
        idleSince: worker.busyUntil > t || worker.readyAt > t ? null : worker.idleSince * 1000,
      })),
  }));
  const plan = planScaling({
    groups: [{ group: 'gpu', profiles: views, waitingSince: queue.map((run) => run.at * 1000) }],
    now: t * 1000,
    rentingStopped: null,
    serverRoom: 100,
  });
  for (const action of plan.actions) {
    if (action.kind === 'rent')
      await rent(
        t,
        profiles.filter((profile) => action.profiles.includes(profile.name)),
      );
    if (action.kind === 'release') (workers.find((worker) => worker.id === action.worker) as SimWorker).releasedAt = t;
  }
}
