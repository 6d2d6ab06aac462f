import { describe, expect, it } from 'vitest';
import { createMessageDecoder, DecodeLimitError, encodeMessage } from './codec.js';

// Frames a hostile or broken worker (or anyone on a plain ws:// path) could send.
const decode = createMessageDecoder({ maxFrameSize: 1024, maxDepth: 32 });

describe('decoding limits tied to the frame ceiling', () => {
  it('refuses an array header claiming 4 billion entries in a 5-byte frame (allocation bomb)', () => {
    expect(() => decode(Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff))).toThrow(/array length \(4294967295\) > maxArrayLength \(1024\)/);
  });

  it('refuses a map header claiming more entries than the frame could hold', () => {
    expect(() => decode(Uint8Array.of(0xdf, 0x00, 0x01, 0x00, 0x00))).toThrow(/map length \(65536\) > maxMapLength/);
  });

  it('refuses a string or binary header claiming 100 MB in a small frame', () => {
    expect(() => decode(Uint8Array.of(0xdb, 0x06, 0x40, 0x00, 0x00, 0x61))).toThrow(/UTF-8 byte length \(104857600\) > maxStrLength \(1024\)/);
    expect(() => decode(Uint8Array.of(0xc6, 0x06, 0x40, 0x00, 0x00, 0x00))).toThrow(/bin length \(104857600\) > maxBinLength \(1024\)/);
  });

  it('refuses a whole message above the ceiling before decoding it', () => {
    expect(() => decode(encodeMessage({ data: 'x'.repeat(2000) }))).toThrow(DecodeLimitError);
  });

  it('refuses nesting deeper than the limit (a frame of one-byte arrays that would overflow a recursive consumer)', () => {
    const deep = new Uint8Array(1000).fill(0x91);
    deep[999] = 0xc0;
    expect(() => decode(deep)).toThrow(new DecodeLimitError('a message nests deeper than 32 levels'));
    const unlimitedDepth = createMessageDecoder({ maxFrameSize: 1 << 20, maxDepth: 128 });
    const veryDeep = new Uint8Array(100_000).fill(0x91);
    veryDeep[99_999] = 0xc0;
    expect(() => unlimitedDepth(veryDeep)).toThrow(/deeper than 128 levels/);
  });

  it('still decodes ordinary messages within the limits, binary and nested values included', () => {
    const message = { type: 'result', request_id: 'r1', data: { outputs: { output: [[1, 2], { a: 'b' }] }, blobs: { image: Uint8Array.of(1, 2, 3) } } };
    expect(decode(encodeMessage(message))).toEqual(message);
  });
});
