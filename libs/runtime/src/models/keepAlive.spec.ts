import { describe, expect, it } from 'vitest';
import { DEFAULT_KEEP_ALIVE_MS, formatKeepAlive, InvalidKeepAliveError, keepAliveFromEnv, parseKeepAlive } from './keepAlive.js';

describe('keep-alive, in Ollama syntax', () => {
  it.each([
    ['5m', 300_000],
    ['30s', 30_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
    ['0', 0],
    ['0s', 0],
    ['  10m ', 600_000],
    ['45', 45_000],
    ['-1', Infinity],
    ['-5m', Infinity],
  ])('reads %j as %d ms', (text, ms) => expect(parseKeepAlive(text)).toBe(ms));

  it('reads numbers as seconds, a negative one as forever', () => {
    expect(parseKeepAlive(30)).toBe(30_000);
    expect(parseKeepAlive(0)).toBe(0);
    expect(parseKeepAlive(-1)).toBe(Infinity);
  });

  it.each(['', 'soon', '5 minutes', '5d', 'm5', '1h 30m', '--5m'])('refuses %j and names the setting', (text) => {
    const error = (() => {
      try {
        parseKeepAlive(text, 'NODETOOL_MODEL_KEEP_ALIVE');
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidKeepAliveError);
    expect((error as Error).message).toContain(`NODETOOL_MODEL_KEEP_ALIVE: ${JSON.stringify(text)} is not a keep-alive`);
  });

  it('refuses values of other types', () => {
    expect(() => parseKeepAlive(null)).toThrow(InvalidKeepAliveError);
    expect(() => parseKeepAlive(Number.NaN)).toThrow(InvalidKeepAliveError);
    expect(() => parseKeepAlive({ minutes: 5 })).toThrow(InvalidKeepAliveError);
  });

  it('defaults to 5 minutes and reads NODETOOL_MODEL_KEEP_ALIVE', () => {
    expect(keepAliveFromEnv({})).toBe(DEFAULT_KEEP_ALIVE_MS);
    expect(DEFAULT_KEEP_ALIVE_MS).toBe(300_000);
    expect(keepAliveFromEnv({ NODETOOL_MODEL_KEEP_ALIVE: '0' })).toBe(0);
    expect(() => keepAliveFromEnv({ NODETOOL_MODEL_KEEP_ALIVE: 'later' })).toThrow(/NODETOOL_MODEL_KEEP_ALIVE/);
  });

  it('formats back to the shortest exact text', () => {
    expect([0, 250, 30_000, 300_000, 5_400_000, 5_430_500, Infinity].map(formatKeepAlive)).toEqual([
      '0',
      '250ms',
      '30s',
      '5m',
      '1h30m',
      '1h30m30s500ms',
      'forever',
    ]);
  });
});
