import { describe, expect, it } from 'vitest';
import { DecodeError } from '@msgpack/msgpack';
import { DecodeLimitError, decodeMessage, encodeMessage } from './codec.js';
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

/** The only ways decoding may fail: malformed bytes (DecodeError), too few bytes (RangeError), a limit (DecodeLimitError). */
function isExpectedDecodeFailure(error: unknown): boolean {
  return (
    error instanceof DecodeError ||
    error instanceof DecodeLimitError ||
    (error instanceof RangeError && /bounds|Insufficient data|length|Extra \d+ of \d+ byte/i.test(error.message))
  );
}

describe('decoders under random and mutated input', () => {
  it('decodes every unmutated frame back to the value that was encoded', () => {
    const next = rng(0xbeef);
    for (let i = 0; i < 2_000; i++) {
      const message = { type: 'result', request_id: `r${i}`, data: { outputs: { output: randomValue(next) }, blobs: {} } };
      expect(decodeMessage(encodeMessage(message))).toEqual(message);
    }
  });

  it('10,000 mutated msgpack frames either decode to a value that re-encodes stably or fail with a decode error, never anything else', () => {
    const next = rng(0xc0ffee);
    let decoded = 0;
    const failures = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const frame = encodeMessage({ type: 'result', request_id: `r${i}`, data: { outputs: { output: randomValue(next) }, blobs: {} } });
      const input = i % 10 === 0 ? Uint8Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256)) : mutate(frame, next);
      let value: unknown;
      try {
        value = decodeMessage(input);
      } catch (error) {
        if (!isExpectedDecodeFailure(error))
          throw new Error(`input ${i} failed with an unexpected ${(error as Error).constructor.name}: ${(error as Error).message}`, { cause: error });
        const name = (error as Error).constructor.name;
        failures.set(name, (failures.get(name) ?? 0) + 1);
        continue;
      }
      decoded++;
      // Whatever decoded is a plain value: encoding it again and decoding that gives the same value.
      expect(decodeMessage(encodeMessage(value))).toEqual(value);
      asEnvelope(value);
    }
    expect(decoded).toBeGreaterThan(1_000);
    expect([...failures.keys()].sort()).toEqual(['DecodeError', 'RangeError']);
  });

  it('splits any unmutated stream, cut into random chunks, into exactly the frames that were written', () => {
    const next = rng(7);
    for (let i = 0; i < 2_000; i++) {
      const payloads = Array.from({ length: 1 + Math.floor(next() * 4) }, () =>
        encodeMessage({ type: 'progress', request_id: 'r', data: { v: randomValue(next) } }),
      );
      const stream = Buffer.concat(payloads.map((payload) => encodeStdioFrame(payload)));
      const decoder = new StdioFrameDecoder(1 << 20);
      const out: Uint8Array[] = [];
      for (let offset = 0; offset < stream.length;) {
        const step = 1 + Math.floor(next() * 64);
        out.push(...decoder.push(stream.subarray(offset, offset + step)));
        offset += step;
      }
      expect(out.map((payload) => Buffer.from(payload).toString('hex'))).toEqual(payloads.map((payload) => Buffer.from(payload).toString('hex')));
      expect(decoder.pendingBytes).toBe(0);
    }
  });

  it('10,000 random and mutated stdio streams yield only frames within the ceiling, and fail only with OversizeFrameError', () => {
    const next = rng(42);
    let oversize = 0;
    let frames = 0;
    for (let i = 0; i < 10_000; i++) {
      const decoder = new StdioFrameDecoder(4096);
      const written = Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
        encodeStdioFrame(encodeMessage({ type: 'progress', request_id: 'r', data: { v: randomValue(next) } })),
      );
      const stream = mutate(Buffer.concat(written), next);
      let received = 0;
      try {
        for (let offset = 0; offset < stream.length;) {
          const step = 1 + Math.floor(next() * 50);
          for (const payload of decoder.push(stream.subarray(offset, offset + step))) {
            expect(payload.byteLength).toBeLessThanOrEqual(4096);
            received += 4 + payload.byteLength;
            frames++;
          }
          offset += step;
        }
      } catch (error) {
        expect(error).toBeInstanceOf(OversizeFrameError);
        oversize++;
        continue;
      }
      // Every byte is accounted for: in a frame handed out, or still waiting for the rest of one.
      expect(received + decoder.pendingBytes).toBe(stream.length);
    }
    expect(frames).toBeGreaterThan(5_000);
    expect(oversize).toBeGreaterThan(0);
  });
});
