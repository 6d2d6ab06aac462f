import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from './backoff.js';

const policy = { initialDelayMs: 1_000, maxDelayMs: 30_000 };

describe('fullJitterDelay', () => {
  it('doubles the window each retry up to the cap', () => {
    const top = (retry: number) => fullJitterDelay(retry, policy, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6, 7, 10].map(top)).toEqual([999, 1999, 3999, 7999, 15999, 29999, 29999, 29999]);
  });

  it('draws uniformly from zero to the window (full jitter)', () => {
    expect(fullJitterDelay(3, policy, () => 0)).toBe(0);
    expect(fullJitterDelay(3, policy, () => 0.5)).toBe(2_000);
  });
});
