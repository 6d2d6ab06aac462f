import { describe, expect, it } from 'vitest';
import { decide, refusesNewRuns, spendOf, type GuardView } from './costGuard.js';

const HOUR = 3_600_000;
const guard = { idleStopMinutes: 15, maxHours: 8, maxSpend: 20, onStoppedRun: 'restart' as const };
const running = (over: Partial<GuardView> = {}): GuardView => ({
  state: 'running',
  runningSince: 0,
  spentBefore: 0,
  pricePerHour: 2,
  lastActivity: 0,
  runsInFlight: 0,
  ...over,
});

describe('the cost guard', () => {
  it('stops an idle worker after the idle time, not before', () => {
    expect(decide(running(), guard, 14 * 60_000)).toBeNull();
    expect(decide(running(), guard, 15 * 60_000)).toMatchObject({ reason: 'idle', detail: 'no run for 15.0 min, the profile stops after 15 min' });
    expect(decide(running({ lastActivity: 10 * 60_000 }), guard, 15 * 60_000)).toBeNull();
  });

  it('stops at the time to live and the spend ceiling even when busy recently', () => {
    expect(decide(running({ lastActivity: 8 * HOUR }), guard, 8 * HOUR)).toMatchObject({ reason: 'ttl' });
    expect(decide(running({ lastActivity: 5 * HOUR, spentBefore: 11 }), guard, 5 * HOUR)).toMatchObject({
      reason: 'spend',
      detail: "spent $21.00, the profile's ceiling is $20",
    });
    expect(spendOf(running({ spentBefore: 1 }), 1.5 * HOUR)).toBeCloseTo(4);
  });

  it('never stops a worker with a run in flight, nor one that is not running; refuses new runs past a hard limit', () => {
    expect(decide(running({ runsInFlight: 1 }), guard, 9 * HOUR)).toBeNull();
    expect(decide(running({ state: 'stopped', runningSince: null }), guard, 9 * HOUR)).toBeNull();
    expect(refusesNewRuns(running({ runsInFlight: 1 }), guard, 9 * HOUR)).toMatch(/reached the profile's 8 h limit/);
    expect(refusesNewRuns(running(), guard, HOUR)).toBeNull();
    expect(decide(running(), { ...guard, idleStopMinutes: 0 }, 7 * HOUR)).toBeNull();
  });
});
