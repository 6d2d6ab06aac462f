import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './codec.js';
import { asEnvelope } from './envelope.js';
import { encodeStdioFrame, OversizeFrameError, StdioFrameDecoder } from './stdioFraming.js';

/** A small deterministic PRNG so a failing case can be replayed from its seed. */
function rng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomValue(next: () => number, depth = 0): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 5 : 8));
  switch (pick) {
    case 0:
      return Math.floor(next() * 2 ** 40) - 2 ** 39;
    case 1:
      return next();
    case 2:
      return 'x'.repeat(Math.floor(next() * 40));
    case 3:
      return next() < 0.5;
    case 4:
      return Uint8Array.from({ length: Math.floor(next() * 64) }, () => Math.floor(next() * 256));
    case 5:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    case 6:
      return null;
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(next() * 4) }, (_, i) => [`k${i}`, randomValue(next, depth + 1)]));
  }
}

function mutate(bytes: Uint8Array, next: () => number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits && out.length > 0; i++) out[Math.floor(next() * out.length)] = Math.floor(next() * 256);
  const cut = next() < 0.3 ? Math.floor(next() * out.length) : out.length;
  return out.subarray(0, cut);
}

describe('decoders under random and mutated input', () => {
  it('10,000 mutated msgpack frames either decode or throw an Error; none crash or hang', () => {
    const next = rng(0xc0ffee);
    let decoded = 0;
    let refused = 0;
    for (let i = 0; i < 10_000; i++) {
      const frame = encodeMessage({ type: 'result', request_id: `r${i}`, data: { outputs: { output: randomValue(next) }, blobs: {} } });
      const input = i % 10 === 0 ? Uint8Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256)) : mutate(frame, next);
      try {
        asEnvelope(decodeMessage(input));
        decoded++;
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        refused++;
      }
    }
    expect(decoded + refused).toBe(10_000);
    expect(decoded).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('10,000 random and mutated stdio streams never throw anything but OversizeFrameError', () => {
    const next = rng(42);
    for (let i = 0; i < 10_000; i++) {
      const decoder = new StdioFrameDecoder(4096);
      const frames = Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
        encodeStdioFrame(encodeMessage({ type: 'progress', request_id: 'r', data: { v: randomValue(next) } })),
      );
      const stream = mutate(Buffer.concat(frames), next);
      try {
        let offset = 0;
        while (offset < stream.length) {
          const step = 1 + Math.floor(next() * 50);
          for (const payload of decoder.push(stream.subarray(offset, offset + step))) {
            try {
              decodeMessage(payload);
            } catch {
              /* a corrupt payload fails only itself */
            }
          }
          offset += step;
        }
      } catch (error) {
        expect(error).toBeInstanceOf(OversizeFrameError);
      }
    }
  });
});
