import { z } from 'zod';
import { RunWaiting } from './jobs.js';
import { WorkerProfileRecord } from './rentedWorkers.js';

/** One profile as the capacity view shows it: its scale, its instances by state, what it billed today. */
export const ProfileCapacity = z.object({
  profile: WorkerProfileRecord,
  /** Live instances: being rented or booting, connected and serving, stopped (a stopped one keeps its disk and still bills it). */
  instances: z.object({ booting: z.number(), running: z.number(), stopped: z.number() }),
  /** USD its rentals billed since midnight UTC. */
  spent_today: z.number(),
  /** Why it is not rented from now (failed bring-ups), or null. */
  braked: z.string().nullable(),
});
export type ProfileCapacity = z.infer<typeof ProfileCapacity>;

/** Elastic capacity at a glance (GET /api/capacity): the day's spend against its cap, each profile, each group's waiting runs. */
export const CapacityReport = z.object({
  spent_today: z.number(),
  /** NODETOOL_RENT_MAX_SPEND_PER_DAY */
  max_spend_per_day: z.number(),
  /** Why nothing more is rented today, or null. */
  capped: z.string().nullable(),
  profiles: z.array(ProfileCapacity),
  groups: z.array(z.object({ group: z.string(), waiting_runs: z.number(), waiting: RunWaiting.nullable() })),
});
export type CapacityReport = z.infer<typeof CapacityReport>;
