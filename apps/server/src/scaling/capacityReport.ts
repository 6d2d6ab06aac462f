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
export function capacityReport(sources: CapacityReportSources, now = Date.now()): CapacityReport {
  const { rented, pool } = sources;
  const periods = rented.store.billingSince(utcDayStart(now));
  const workers = rented.store.liveWorkers();
  const profiles = rented.store.profiles();
  const groups = [
    ...new Set([...profiles.filter((profile) => profile.scale).map((profile) => profile.group), ...sources.demand.map((run) => run.group)]),
  ].sort();
  return {
    spent_today: round(spendBetween(periods, utcDayStart(now), now)),
    max_spend_per_day: rented.maxSpendPerDay,
    capped: rented.spendingStopped(now),
    profiles: profiles.map((profile) => {
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
        braked: rented.braked(profile.name, now),
      };
    }),
    groups: groups.map((group) => {
      const waitingRuns = sources.demand.filter((run) => run.group === group).length;
      return { group, waiting_runs: waitingRuns, waiting: waitingRuns ? sources.waitingFor(group) : null };
    }),
  };
}
