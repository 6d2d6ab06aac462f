import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './codec.js';
import { isNpArray, npArrayToNumbers, numbersToNpArray } from './npArray.js';

describe('np_array values', () => {
  it('round-trips float64 through the codec with an unaligned bin offset', () => {
    const array = numbersToNpArray([0.5, -1.25, 3e-9], [3]);
    const decoded = decodeMessage(encodeMessage({ pad: 'x', output: array })) as { output: unknown };
    expect(isNpArray(decoded.output)).toBe(true);
    expect(npArrayToNumbers(decoded.output as never)).toEqual([0.5, -1.25, 3e-9]);
  });

  it('decodes little-endian float32, int64 and uint8 arrays', () => {
    const f4 = new Uint8Array(new Float32Array([1.5, -2]).buffer);
    expect(npArrayToNumbers({ type: 'np_array', value: f4, dtype: '<f4', shape: [2] })).toEqual([1.5, -2]);
    const i8 = new Uint8Array(new BigInt64Array([-7n, 9n]).buffer);
    expect(npArrayToNumbers({ type: 'np_array', value: i8, dtype: '<i8', shape: [2] })).toEqual([-7, 9]);
    expect(npArrayToNumbers({ type: 'np_array', value: Uint8Array.from([1, 255]), dtype: '|u1', shape: [2] })).toEqual([1, 255]);
  });

  it('decodes big-endian data', () => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, 6.5, false);
    expect(npArrayToNumbers({ type: 'np_array', value: bytes, dtype: '>f8', shape: [1] })).toEqual([6.5]);
  });

  it('names the mismatch when shape and byte length disagree', () => {
    expect(() => npArrayToNumbers({ type: 'np_array', value: new Uint8Array(8), dtype: '<f8', shape: [2, 2] })).toThrow(/needs 32 bytes, got 8/);
  });

  it('refuses an unknown dtype by name', () => {
    expect(() => npArrayToNumbers({ type: 'np_array', value: new Uint8Array(16), dtype: '<c16', shape: [1] })).toThrow(/unsupported np_array dtype "<c16"/);
  });
});
