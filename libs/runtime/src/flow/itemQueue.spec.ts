import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ItemQueue } from './itemQueue.js';
import type { SpillSpace } from './spillSpace.js';

/** A spill space that counts what is on disk, with an allowance. */
function countingSpace(allowance = Infinity): SpillSpace & { onDisk: number; peak: number } {
  const dir = mkdtempSync(join(tmpdir(), 'nt-queue-spec-'));
  const space = {
    dir,
    onDisk: 0,
    peak: 0,
    charge(bytes: number) {
      if (space.onDisk + bytes > allowance) throw new Error(`spilled items would take ${space.onDisk + bytes} bytes, above the ${allowance} allowed`);
      space.onDisk += bytes;
      space.peak = Math.max(space.peak, space.onDisk);
    },
    refund(bytes: number) {
      space.onDisk -= bytes;
    },
  };
  return space;
}

describe('ItemQueue', () => {
  it('keeps items in memory up to its bound, then on disk, and gives them back in arrival order', () => {
    const space = countingSpace();
    const queue = new ItemQueue({ maxBytes: 2_000, space });
    for (let index = 0; index < 1_000; index++) queue.push({ arrival: index, edge: 0, value: { index, text: `item ${index}` } });
    expect(queue.spilled).toBeGreaterThan(900);
    expect(space.onDisk).toBeGreaterThan(0);
    const out: number[] = [];
    // Take some, push more while items still wait on disk: the new ones queue behind them.
    for (let taken = 0; taken < 500; taken++) out.push((queue.shift()?.value as { index: number }).index);
    for (let index = 1_000; index < 1_200; index++) queue.push({ arrival: index, edge: 0, value: { index, text: `item ${index}` } });
    for (let item = queue.shift(); item; item = queue.shift()) out.push((item.value as { index: number }).index);
    expect(out).toEqual(Array.from({ length: 1_200 }, (_, index) => index));
    expect(queue.isEmpty).toBe(true);
    expect(space.onDisk).toBe(0);
  });

  it('keeps binary, np_array and nested values intact through the disk', () => {
    const queue = new ItemQueue({ maxBytes: 1, space: countingSpace() });
    const values = [new Uint8Array([0, 1, 255]), { type: 'np_array', value: new Uint8Array(8), dtype: '<f8', shape: [1] }, { nested: [1, 'two', null, true] }];
    queue.push({ arrival: 0, edge: 0, value: 'first, in memory' });
    values.forEach((value, index) => queue.push({ arrival: index + 1, edge: 2, value }));
    expect(queue.spilled).toBe(3);
    expect(queue.shift()?.value).toBe('first, in memory');
    for (const value of values) expect(queue.shift()).toEqual({ arrival: values.indexOf(value) + 1, edge: 2, value, bytes: expect.any(Number) });
  });

  it('refuses an item past the spill allowance with the allowance’s error, keeping what it had', () => {
    const queue = new ItemQueue({ maxBytes: 1, space: countingSpace(200) });
    queue.push({ arrival: 0, edge: 0, value: 'x'.repeat(100) });
    queue.push({ arrival: 1, edge: 0, value: 'y'.repeat(100) });
    expect(() => queue.push({ arrival: 2, edge: 0, value: 'z'.repeat(100) })).toThrow(/above the 200 allowed/);
    expect(queue.shift()?.value).toBe('x'.repeat(100));
    expect(queue.shift()?.value).toBe('y'.repeat(100));
    expect(queue.shift()).toBeUndefined();
  });

  it('removes its spill file when disposed and gives back what it held', () => {
    const space = countingSpace();
    const queue = new ItemQueue({ maxBytes: 1, space });
    // 200 KiB: past the write block, so the file exists.
    for (let index = 0; index < 100; index++) queue.push({ arrival: index, edge: 0, value: 'x'.repeat(2048) });
    expect(readdirSync(space.dir)).toHaveLength(1);
    const file = join(space.dir, readdirSync(space.dir)[0] as string);
    queue.dispose();
    expect(existsSync(file)).toBe(false);
    expect(space.onDisk).toBe(0);
  });

  it('does not grow its file when it fills and drains again and again', () => {
    const space = countingSpace();
    const queue = new ItemQueue({ maxBytes: 100, space });
    for (let round = 0; round < 20; round++) {
      for (let index = 0; index < 100; index++) queue.push({ arrival: round * 100 + index, edge: 0, value: index });
      while (queue.shift());
    }
    // Each round's spill is about the same; a file that kept growing would hold 20 rounds' worth at the end.
    expect(space.peak).toBeLessThan(2_000);
    expect(space.onDisk).toBe(0);
  });
});
