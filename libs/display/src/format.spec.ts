import { describe, expect, it } from 'vitest';
import { formatBytes, formatCountdown, formatSeconds } from './index.js';

describe('numbers as people read them', () => {
  it('sizes in decimal units', () => {
    expect([formatBytes(null), formatBytes(0), formatBytes(999), formatBytes(300_000), formatBytes(91_618_861), formatBytes(4_200_000_000)]).toEqual([
      '?',
      '0 B',
      '999 B',
      '300 kB',
      '91.6 MB',
      '4.2 GB',
    ]);
  });

  it('estimates, rounded up', () => {
    expect([formatSeconds(3.2), formatSeconds(125), formatSeconds(3780), formatSeconds(Infinity), formatSeconds(-1)]).toEqual([
      '4s',
      '2m05s',
      '1h03m',
      '?',
      '?',
    ]);
  });

  it('countdowns', () => {
    expect([formatCountdown(299_001), formatCountdown(0), formatCountdown(-5), formatCountdown(3_723_000)]).toEqual(['5:00', '0:00', '0:00', '1:02:03']);
  });
});
