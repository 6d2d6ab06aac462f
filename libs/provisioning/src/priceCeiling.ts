import type { WorkerProfile } from './workerProfile.js';

/**
 * Why a rented instance's own hourly price breaks the profile's ceiling, or null. The providers' quotes
 * come before the rental; this is the price the instance actually bills (RunPod's `costPerHr`, Vast's
 * `dph_total`), for the whole instance, checked as soon as it is known.
 */
export function overCeiling(pricePerHour: number | null, profile: Pick<WorkerProfile, 'maxPricePerHour'>): string | null {
  if (pricePerHour === null || pricePerHour <= profile.maxPricePerHour) return null;
  return `it bills $${pricePerHour.toFixed(3)}/h, above the profile's ceiling of $${profile.maxPricePerHour}/h`;
}
