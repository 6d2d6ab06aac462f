import { describe, expect, it } from 'vitest';
import { parseRetention } from './retention.js';

describe('NODETOOL_RETENTION', () => {
  it('reads an age in days, hours or minutes, or a count of runs', () => {
    expect(parseRetention('30d')).toEqual({ keep: 'age', ms: 30 * 86_400_000, text: '30d' });
    expect(parseRetention('12h')).toEqual({ keep: 'age', ms: 12 * 3_600_000, text: '12h' });
    expect(parseRetention(' 45m ')).toEqual({ keep: 'age', ms: 45 * 60_000, text: '45m' });
    expect(parseRetention('1000')).toEqual({ keep: 'runs', count: 1000, text: '1000' });
  });

  it('reads nothing else (the server names the setting and refuses to start)', () => {
    for (const text of ['0', '30 days', '1w', '-5', 'forever', '1.5d', '']) expect(parseRetention(text), text).toBeNull();
  });
});
