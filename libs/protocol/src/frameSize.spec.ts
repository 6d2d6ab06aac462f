import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME_SIZE, maxFrameSizeFromEnv, parseMaxFrameSize } from './frameSize.js';

describe('parseMaxFrameSize', () => {
  it('accepts plain decimal byte counts', () => {
    expect(parseMaxFrameSize('1048576')).toBe(1_048_576);
    expect(parseMaxFrameSize('4294967295')).toBe(4_294_967_295);
  });

  it.each(['', '10MB', '1e9', ' 5', '5 ', '-1', '0', '1.5', '0x10', 'NaN', '4294967296'])('refuses %j with a message naming the variable', (raw) => {
    expect(() => parseMaxFrameSize(raw)).toThrow(/NODETOOL_BRIDGE_MAX_FRAME_SIZE/);
  });

  it('defaults to 256 MiB when the variable is unset or empty', () => {
    expect(maxFrameSizeFromEnv({})).toBe(DEFAULT_MAX_FRAME_SIZE);
    expect(maxFrameSizeFromEnv({ NODETOOL_BRIDGE_MAX_FRAME_SIZE: '' })).toBe(268_435_456);
    expect(maxFrameSizeFromEnv({ NODETOOL_BRIDGE_MAX_FRAME_SIZE: '1024' })).toBe(1024);
  });
});
