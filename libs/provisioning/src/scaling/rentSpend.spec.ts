import { describe, expect, it } from 'vitest';
import { bringUpBraked } from './bringUpBrake.js';
import { dailyCapReached, spendBetween, utcDayStart } from './rentSpend.js';

const HOUR = 3_600_000;
const day = Date.UTC(2026, 11, 7);

describe('what rentals cost in a UTC day', () => {
  it('counts only each period’s part inside the day, open ones up to now', () => {
    expect(utcDayStart(day + 5 * HOUR + 123)).toBe(day);
    const periods = [
      { pricePerHour: 1, startedAt: day - 2 * HOUR, endedAt: day + HOUR }, // 1 h of it today
      { pricePerHour: 0.5, startedAt: day + 2 * HOUR, endedAt: null }, // 2 h so far at 0.5
      { pricePerHour: null, startedAt: day, endedAt: null }, // price not known yet: nothing
    ];
    expect(spendBetween(periods, day, day + 4 * HOUR)).toBeCloseTo(2);
    expect(dailyCapReached(periods, 2.5, day + 4 * HOUR)).toBeNull();
    expect(dailyCapReached(periods, 2, day + 4 * HOUR)).toMatch(/cost \$2\.00 today \(UTC\), and NODETOOL_RENT_MAX_SPEND_PER_DAY is \$2/);
    // Midnight: a new day, a new allowance.
    expect(dailyCapReached(periods, 2, day + 24 * HOUR + 1000)).toBeNull();
  });
});

describe('the bring-up brake', () => {
  it('stops a profile after `limit` failed bring-ups within the hour, naming the last', () => {
    const now = day + 10 * HOUR;
    const failures = [now - 50 * 60_000, now - 20 * 60_000, now - 1000].map((at, index) => ({ at, detail: `crash ${index}` }));
    expect(bringUpBraked(failures.slice(0, 2), 3, now)).toBeNull();
    expect(bringUpBraked(failures, 3, now)).toMatch(/^3 bring-ups failed in the last hour .*the last: crash 2\): not rented from again for 10 min$/);
    // An hour after the oldest, it may be tried again.
    expect(bringUpBraked(failures, 3, now + 11 * 60_000)).toBeNull();
  });
});
