import { describe, expect, it } from 'vitest';
import { encodeMessage } from './codec.js';
import { encodeStdioFrame, OversizeFrameError, StdioFrameDecoder } from './stdioFraming.js';

const payload = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 251);

describe('StdioFrameDecoder', () => {
  it('writes a u32 big-endian length prefix', () => {
    expect([...encodeStdioFrame(Uint8Array.from([9, 8, 7]))]).toEqual([0, 0, 0, 3, 9, 8, 7]);
  });

  it('reassembles a frame split at every byte', () => {
    const frame = encodeStdioFrame(payload(300));
    const decoder = new StdioFrameDecoder(1024);
    const out: Uint8Array[] = [];
    for (let i = 0; i < frame.length; i++) out.push(...decoder.push(frame.subarray(i, i + 1)));
    expect(out).toEqual([payload(300)]);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('splits merged frames, including empty payloads, in order', () => {
    const merged = new Uint8Array(Buffer.concat([encodeStdioFrame(payload(5)), encodeStdioFrame(new Uint8Array()), encodeStdioFrame(payload(70_000))]));
    expect(new StdioFrameDecoder(1 << 20).push(merged)).toEqual([payload(5), new Uint8Array(), payload(70_000)]);
  });

  it('rejects an oversize prefix before the payload arrives, naming size and limit, and stays failed', () => {
    const decoder = new StdioFrameDecoder(100);
    const header = Uint8Array.from([0, 0, 0x10, 0]);
    expect(() => decoder.push(header)).toThrow(OversizeFrameError);
    expect(() => decoder.push(header)).toThrow(/4096 bytes exceeds the 100 bytes ceiling/);
    expect(() => decoder.push(encodeStdioFrame(payload(1)))).toThrow(OversizeFrameError);
  });

  it('accepts a frame exactly at the ceiling', () => {
    expect(new StdioFrameDecoder(64).push(encodeStdioFrame(payload(64)))).toHaveLength(1);
  });

  it('keeps a partial frame pending at end of stream', () => {
    const decoder = new StdioFrameDecoder(1024);
    expect(decoder.push(encodeStdioFrame(encodeMessage({ a: 1 })).subarray(0, 5))).toEqual([]);
    expect(decoder.pendingBytes).toBe(5);
  });
});
