import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './codec.js';
import { asEnvelope } from './envelope.js';
import { compact } from './messages.js';

describe('msgpack codec', () => {
  it('round-trips an envelope with nested maps, arrays and scalars', () => {
    const message = {
      type: 'execute',
      request_id: 'r-1',
      data: { node_type: 'a.b.C', fields: { n: 3, x: 1.5, s: 'hé', ok: true, list: [1, 'two', null] } },
    };
    expect(decodeMessage(encodeMessage(message))).toEqual(message);
  });

  it('writes Uint8Array as msgpack bin (0xc4-0xc6), not as an array or base64', () => {
    const bytes = encodeMessage(new Uint8Array([1, 2, 3]));
    expect(bytes[0]).toBe(0xc4);
    expect(decodeMessage(bytes)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('leaves out undefined keys instead of sending null', () => {
    const decoded = decodeMessage(encodeMessage({ a: 1, b: undefined })) as Record<string, unknown>;
    expect(Object.keys(decoded)).toEqual(['a']);
  });

  it('compact() drops both undefined and null optional keys', () => {
    expect(compact({ node_id: 'n', job_id: undefined, user_id: null })).toEqual({ node_id: 'n' });
  });

  it('reads uint64 and int64 as JS numbers, not BigInt', () => {
    // 0xcf: uint64 5 GiB as Python writes byte counts; 0xd3: int64 -2^40
    const uint64 = Uint8Array.from([0xcf, 0, 0, 0, 1, 0x40, 0, 0, 0]);
    const int64 = Uint8Array.from([0xd3, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0]);
    expect(decodeMessage(uint64)).toBe(5 * 1024 ** 3);
    expect(decodeMessage(int64)).toBe(-(2 ** 40));
  });

  it('reads timestamp ext -1 as a UTC Date', () => {
    // fixext8 timestamp 64: nanoseconds 0, seconds 1_700_000_000
    const seconds = 1_700_000_000;
    const bytes = new Uint8Array([0xd7, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
    new DataView(bytes.buffer).setUint32(6, seconds);
    const value = decodeMessage(bytes);
    expect(value).toBeInstanceOf(Date);
    expect((value as Date).toISOString()).toBe('2023-11-14T22:13:20.000Z');
  });

  it('throws on truncated input', () => {
    const bytes = encodeMessage({ type: 'result', request_id: 'x', data: {} });
    expect(() => decodeMessage(bytes.subarray(0, bytes.length - 2))).toThrow();
  });
});

describe('asEnvelope', () => {
  it('accepts a frame-level error with a null request id', () => {
    expect(asEnvelope({ type: 'error', request_id: null, data: { error: 'x' } })).toEqual({
      type: 'error',
      request_id: null,
      data: { error: 'x' },
    });
  });

  it('rejects arrays, scalars and frames without a string type', () => {
    expect(asEnvelope([1, 2])).toBeNull();
    expect(asEnvelope(7)).toBeNull();
    expect(asEnvelope({ request_id: 'a', data: {} })).toBeNull();
    expect(asEnvelope({ type: 'result', request_id: 5, data: {} })).toBeNull();
  });
});
