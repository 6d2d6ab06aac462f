export interface BackoffPolicy {
  /** Window of the first delayed retry. */
  initialDelayMs: number;
  /** Upper bound of any window. */
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 1_000, maxDelayMs: 30_000 };

/**
 * Exponential backoff with full jitter: retry n waits a uniform random time in
 * [0, min(max, initial * 2^(n-1))]. Jitter spreads the reconnects of many
 * servers that lost the same worker at the same moment.
 */
export function fullJitterDelay(retry: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const window = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * window);
}
