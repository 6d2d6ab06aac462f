import type { CapacityReport } from '@nt/api-contract';
import { profileToRecord, spendBetween, utcDayStart } from '@nt/provisioning';
import type { RentedWorkers } from '../rented/rentedWorkers.js';
import type { WorkerPool } from '../workers/workerPool.js';
import type { CapacityDemand } from './capacityScaler.js';

export interface CapacityReportSources {
  rented: RentedWorkers;
  pool: WorkerPool;
  demand: CapacityDemand[];
  waitingFor: (group: string) => CapacityReport['groups'][number]['waiting'];
}

const round = (usd: number) => Math.round(usd * 10_000) / 10_000;

/** GET /api/capacity: the day's spend and cap, every profile with its instances and spend today, and each group's waiting runs. */
export async function capacityReport(sources: CapacityReportSources, now = Date.now()): Promise<CapacityReport> {
  const { rented, pool } = sources;
  const [periods, workers, profiles, capped] = await Promise.all([
    rented.store.billingSince(utcDayStart(now)),
    rented.store.liveWorkers(),
    rented.store.profiles(),
    rented.spendingStopped(now),
  ]);
  const braked = await Promise.all(profiles.map((profile) => rented.braked(profile.name, now)));
  const groups = [
    ...new Set([...profiles.filter((profile) => profile.scale).map((profile) => profile.group), ...sources.demand.map((run) => run.group)]),
  ].sort();
  return {
    spent_today: round(spendBetween(periods, utcDayStart(now), now)),
    max_spend_per_day: rented.maxSpendPerDay,
    capped,
    profiles: profiles.map((profile, index) => {
      const own = workers.filter((worker) => worker.profile === profile.name);
      const connected = own.filter((worker) => worker.state === 'running' && pool.member(rented.urlOf(worker))?.connected).length;
      const stopped = own.filter((worker) => worker.state === 'stopped').length;
      return {
        profile: profileToRecord(profile),
        instances: { booting: own.length - connected - stopped, running: connected, stopped },
        spent_today: round(
          spendBetween(
            periods.filter((period) => period.profile === profile.name),
            utcDayStart(now),
            now,
          ),
        ),
        braked: braked[index] ?? null,
      };
    }),
    groups: groups.map((group) => {
      const waitingRuns = sources.demand.filter((run) => run.group === group).length;
      return { group, waiting_runs: waitingRuns, waiting: waitingRuns ? sources.waitingFor(group) : null };
    }),
  };
}
