import type { CostGuard } from './workerProfile.js';

/** What the guard knows about one rented worker at one moment. */
export interface GuardView {
  state: 'provisioning' | 'running' | 'stopped' | 'terminated';
  /** When the current running period began (ms since epoch), or null when not running. */
  runningSince: number | null;
  /** Spend of earlier running periods (USD). */
  spentBefore: number;
  pricePerHour: number | null;
  /** The last run on it, from the server or a CLI (ms since epoch), or when it started if none since. */
  lastActivity: number;
  runsInFlight: number;
}

export interface GuardDecision {
  action: 'stop';
  reason: 'idle' | 'ttl' | 'spend';
  /** For the event a user reads: what was measured against which limit. */
  detail: string;
}

/** Spend so far (USD): earlier periods plus the current one at its hourly price. */
export function spendOf(view: GuardView, now: number): number {
  const running =
    view.state === 'running' && view.runningSince !== null && view.pricePerHour !== null ? ((now - view.runningSince) / 3_600_000) * view.pricePerHour : 0;
  return view.spentBefore + running;
}

/**
 * Whether the guard stops a worker now, and why. Only a running worker is ever stopped, and never
 * one with a run in flight: the hard limits (time to live, spend ceiling) wait for its runs to end
 * (new runs are refused meanwhile by the caller), and idleness cannot hold while a run is going.
 */
export function decide(view: GuardView, guard: CostGuard, now: number): GuardDecision | null {
  if (view.state !== 'running' || view.runsInFlight > 0 || view.runningSince === null) return null;
  const hours = (now - view.runningSince) / 3_600_000;
  if (hours >= guard.maxHours)
    return { action: 'stop', reason: 'ttl', detail: `running for ${hours.toFixed(2)} h, the profile's limit is ${guard.maxHours} h` };
  const spend = spendOf(view, now);
  if (guard.maxSpend > 0 && spend >= guard.maxSpend)
    return { action: 'stop', reason: 'spend', detail: `spent $${spend.toFixed(2)}, the profile's ceiling is $${guard.maxSpend}` };
  const idleMinutes = (now - view.lastActivity) / 60_000;
  if (guard.idleStopMinutes > 0 && idleMinutes >= guard.idleStopMinutes) {
    return { action: 'stop', reason: 'idle', detail: `no run for ${idleMinutes.toFixed(1)} min, the profile stops after ${guard.idleStopMinutes} min` };
  }
  return null;
}

/** Whether a new run may start on it now: not once a hard limit is reached (the guard stops it when its runs end). */
export function refusesNewRuns(view: GuardView, guard: CostGuard, now: number): string | null {
  if (view.state !== 'running' || view.runningSince === null) return null;
  if ((now - view.runningSince) / 3_600_000 >= guard.maxHours) return `it reached the profile's ${guard.maxHours} h limit and is about to be stopped`;
  if (guard.maxSpend > 0 && spendOf(view, now) >= guard.maxSpend) return `it reached the profile's $${guard.maxSpend} spend ceiling and is about to be stopped`;
  return null;
}
