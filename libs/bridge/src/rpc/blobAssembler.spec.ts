import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BlobAssembler, BlobBudget } from './blobAssembler.js';
import { ProtocolError } from '../errors.js';

const payload = Buffer.from(Array.from({ length: 10 }, (_, i) => i));
const sha = createHash('sha256').update(payload).digest('hex');

function feed(assembler: BlobAssembler, frames: Array<[string, Record<string, unknown>]>): void {
  for (const [type, data] of frames) assembler.accept(type, data);
}

describe('BlobAssembler', () => {
  it('reassembles chunks in order and checks size and SHA-256', () => {
    const assembler = new BlobAssembler(1024);
    feed(assembler, [
      ['blob.start', { name: 'output', size: 10 }],
      ['blob.chunk', { name: 'output', offset: 0, bytes: payload.subarray(0, 4) }],
      ['blob.chunk', { name: 'output', offset: 4, bytes: payload.subarray(4) }],
      ['blob.end', { name: 'output', size: 10, sha256: sha }],
    ]);
    expect(Buffer.compare(assembler.take()['output'] as Buffer, payload)).toBe(0);
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
    const assembler = new BlobAssembler(1024);
    expect(() => feed(assembler, frames)).toThrow(ProtocolError);
    expect(() => feed(new BlobAssembler(1024), frames)).toThrow(message);
  });

  it('refuses a result that arrives before a blob is complete', () => {
    const assembler = new BlobAssembler(1024);
    assembler.accept('blob.start', { name: 'late', size: 4 });
    expect(() => assembler.take()).toThrow(/before blob "late" was complete/);
  });
});

describe('BlobBudget: result bytes in flight across requests', () => {
  it('refuses a blob whose declared size would put more bytes in flight than allowed (many concurrent "large" blobs)', () => {
    const budget = new BlobBudget(1000);
    const first = new BlobAssembler(1000, budget);
    const second = new BlobAssembler(1000, budget);
    first.accept('blob.start', { name: 'a', size: 600 });
    expect(() => second.accept('blob.start', { name: 'b', size: 600 })).toThrow(/1200 bytes of result blobs in flight, above the 1000 bytes limit/);
    expect(budget.inUse).toBe(600);
  });

  it('gets the bytes back when a request ends, however it ends', () => {
    const budget = new BlobBudget(1000);
    const first = new BlobAssembler(1000, budget);
    first.accept('blob.start', { name: 'a', size: 600 });
    first.release();
    expect(budget.inUse).toBe(0);
    const second = new BlobAssembler(1000, budget);
    second.accept('blob.start', { name: 'b', size: 600 });
    expect(budget.inUse).toBe(600);
    second.release();
    second.release();
    expect(budget.inUse).toBe(0);
  });
});
