import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BlobAssembler, BlobBudget, memoryBlobSink } from './blobAssembler.js';
import type { BlobSink } from './blobSink.js';
import { ProtocolError } from '../errors.js';

const payload = Buffer.from(Array.from({ length: 10 }, (_, i) => i));
const sha = createHash('sha256').update(payload).digest('hex');

/** An assembler over the default memory sink, as a request without a sink of its own gets. */
function inMemory(maxBlobBytes: number, budget = new BlobBudget(Number.MAX_SAFE_INTEGER)): BlobAssembler {
  const sink = memoryBlobSink(maxBlobBytes, budget);
  return new BlobAssembler(sink, () => sink.release());
}

function feed(assembler: BlobAssembler, frames: Array<[string, Record<string, unknown>]>): void {
  for (const [type, data] of frames) assembler.accept(type, data);
}

describe('BlobAssembler', () => {
  it('reassembles chunks in order and checks size and SHA-256', async () => {
    const assembler = inMemory(1024);
    feed(assembler, [
      ['blob.start', { name: 'output', size: 10 }],
      ['blob.chunk', { name: 'output', offset: 0, bytes: payload.subarray(0, 4) }],
      ['blob.chunk', { name: 'output', offset: 4, bytes: payload.subarray(4) }],
      ['blob.end', { name: 'output', size: 10, sha256: sha }],
    ]);
    expect(Buffer.compare((await assembler.take())['output'] as Buffer, payload)).toBe(0);
  });

  it.each([
    [
      'a chunk out of order',
      [
        ['blob.start', { name: 'b', size: 10 }],
        ['blob.chunk', { name: 'b', offset: 4, bytes: payload.subarray(4) }],
      ],
      /at offset 4, expected 0/,
    ],
    [
      'a chunk past the declared size',
      [
        ['blob.start', { name: 'b', size: 2 }],
        ['blob.chunk', { name: 'b', offset: 0, bytes: payload }],
      ],
      /overflows its declared 2 bytes/,
    ],
    [
      'a wrong digest',
      [
        ['blob.start', { name: 'b', size: 10 }],
        ['blob.chunk', { name: 'b', offset: 0, bytes: payload }],
        ['blob.end', { name: 'b', size: 10, sha256: '00' }],
      ],
      /failed its SHA-256 check/,
    ],
    [
      'a short blob',
      [
        ['blob.start', { name: 'b', size: 10 }],
        ['blob.end', { name: 'b', size: 10, sha256: sha }],
      ],
      /ended after 0 of 10 bytes/,
    ],
    ['a blob above the limit', [['blob.start', { name: 'b', size: 2048 }]], /2048 bytes exceeds the 1024 bytes blob limit/],
    ['a chunk of an unknown blob', [['blob.chunk', { name: 'x', offset: 0, bytes: payload }]], /never started/],
  ] as Array<[string, Array<[string, Record<string, unknown>]>, RegExp]>)('refuses %s, naming the blob', (_label, frames, message) => {
    const assembler = inMemory(1024);
    expect(() => feed(assembler, frames)).toThrow(ProtocolError);
    expect(() => feed(inMemory(1024), frames)).toThrow(message);
  });

  it('refuses a result that arrives before a blob is complete', async () => {
    const assembler = inMemory(1024);
    assembler.accept('blob.start', { name: 'late', size: 4 });
    await expect(assembler.take()).rejects.toThrow(/before blob "late" was complete/);
  });

  it('streams each blob to a sink as it arrives, checked first, and answers with what the sink kept', async () => {
    const seen: string[] = [];
    const sink: BlobSink = {
      open: (name, size) => {
        seen.push(`open ${name} ${size}`);
        return {
          write: (bytes) => void seen.push(`write ${bytes.byteLength}`),
          close: async (digest) => ({ kept: name, sha256: digest }),
          abort: () => void seen.push(`abort ${name}`),
        };
      },
    };
    const assembler = new BlobAssembler(sink);
    feed(assembler, [
      ['blob.start', { name: 'image', size: 10 }],
      ['blob.chunk', { name: 'image', offset: 0, bytes: payload.subarray(0, 6) }],
      ['blob.chunk', { name: 'image', offset: 6, bytes: payload.subarray(6) }],
      ['blob.end', { name: 'image', size: 10, sha256: sha }],
      ['blob.start', { name: 'audio', size: 10 }],
      ['blob.chunk', { name: 'audio', offset: 0, bytes: payload.subarray(0, 3) }],
    ]);
    expect(() => assembler.accept('blob.chunk', { name: 'audio', offset: 9, bytes: payload })).toThrow(/expected 3/);
    // The request fails: the blob still arriving is dropped, the one kept stays the sink's.
    assembler.release();
    expect(seen).toEqual(['open image 10', 'write 6', 'write 4', 'open audio 10', 'write 3', 'abort audio']);
  });

  it('waits for the sink to keep every blob before the result is whole', async () => {
    let keep!: () => void;
    const sink: BlobSink = {
      open: () => ({ write: () => undefined, close: () => new Promise((resolve) => (keep = () => resolve({ asset: 'a1' }))), abort: () => undefined }),
    };
    const assembler = new BlobAssembler(sink);
    feed(assembler, [
      ['blob.start', { name: 'output', size: 10 }],
      ['blob.chunk', { name: 'output', offset: 0, bytes: payload }],
      ['blob.end', { name: 'output', size: 10, sha256: sha }],
    ]);
    let whole: unknown = null;
    const taken = assembler.take().then((blobs) => (whole = blobs));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(whole).toBeNull();
    keep();
    await taken;
    expect(whole).toEqual({ output: { asset: 'a1' } });
  });
});

describe('BlobBudget: result bytes in flight across requests', () => {
  it('refuses a blob whose declared size would put more bytes in flight than allowed (many concurrent "large" blobs)', () => {
    const budget = new BlobBudget(1000);
    const first = inMemory(1000, budget);
    const second = inMemory(1000, budget);
    first.accept('blob.start', { name: 'a', size: 600 });
    expect(() => second.accept('blob.start', { name: 'b', size: 600 })).toThrow(/1200 bytes of result blobs in flight, above the 1000 bytes limit/);
    expect(budget.inUse).toBe(600);
  });

  it('gets the bytes back when a request ends, however it ends', () => {
    const budget = new BlobBudget(1000);
    const first = inMemory(1000, budget);
    first.accept('blob.start', { name: 'a', size: 600 });
    first.release();
    expect(budget.inUse).toBe(0);
    const second = inMemory(1000, budget);
    second.accept('blob.start', { name: 'b', size: 600 });
    expect(budget.inUse).toBe(600);
    second.release();
    second.release();
    expect(budget.inUse).toBe(0);
  });
});
