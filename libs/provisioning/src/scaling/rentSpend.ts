/** One stretch of time an instance billed at one price (opened when it starts billing, closed when it stops or goes). */
export interface BillingPeriod {
  pricePerHour: number | null;
  /** ms since epoch */
  startedAt: number;
  /** ms since epoch; null while it still bills. */
  endedAt: number | null;
}

const HOUR_MS = 3_600_000;

/** Midnight UTC of the day `now` is in: the daily spending cap counts from there. */
export function utcDayStart(now: number): number {
  const day = new Date(now);
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
}

/** USD the periods billed between `from` and `now`, each counted only for its part inside that window, as it accrues. */
export function spendBetween(periods: readonly BillingPeriod[], from: number, now: number): number {
  let total = 0;
  for (const period of periods) {
    if (period.pricePerHour === null) continue;
    const start = Math.max(period.startedAt, from);
    const end = Math.min(period.endedAt ?? now, now);
    if (end > start) total += ((end - start) / HOUR_MS) * period.pricePerHour;
  }
  return total;
}

/**
 * Why nothing more may be rented or started today, or null: what every rental billed since midnight
 * UTC, counted as it accrues, has reached the cap. What runs now is not stopped by it (its runs finish;
 * the cost guard's own limits still apply).
 */
export function dailyCapReached(periods: readonly BillingPeriod[], capPerDay: number, now: number): string | null {
  const spent = spendBetween(periods, utcDayStart(now), now);
  if (spent < capPerDay) return null;
  return `the rentals have cost $${spent.toFixed(2)} today (UTC), and NODETOOL_RENT_MAX_SPEND_PER_DAY is $${capPerDay}: nothing more is rented until midnight UTC`;
}
