import { describe, expect, it } from 'vitest';
import { StderrTail } from './stderrTail.js';

describe('StderrTail', () => {
  it('returns complete lines across chunk boundaries', () => {
    const tail = new StderrTail();
    expect(tail.push('Loading no')).toEqual([]);
    expect(tail.push('des...\nLoaded 6 nodes\nNODETOOL_')).toEqual(['Loading nodes...', 'Loaded 6 nodes']);
    expect(tail.push('STDIO_READY\n')).toEqual(['NODETOOL_STDIO_READY']);
  });

  it('keeps only the newest lines within its bounds', () => {
    const tail = new StderrTail(3, 1_000);
    tail.push('a\nb\nc\nd\ne\n');
    expect(tail.tail()).toBe('c\nd\ne');
    const small = new StderrTail(100, 10);
    small.push('0123456789\nabcdefghij\n');
    expect(small.tail()).toBe('abcdefghij');
  });
});
