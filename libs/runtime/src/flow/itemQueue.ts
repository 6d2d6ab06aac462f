import { decodeMessage, encodeMessage, isNpArray } from '@nt/protocol';
import { SpillFile } from './spillFile.js';
import type { SpillSpace } from './spillSpace.js';

/** One item waiting at an input: which edge brought it, when (across the node's inputs), and its value. */
export interface QueuedItem {
  arrival: number;
  edge: number;
  value: unknown;
}

export interface ItemQueueOptions {
  /** What the items in memory may take, about; past it they wait on disk. */
  maxBytes: number;
  space: SpillSpace;
}

/**
 * The items waiting at one input of a node, first in first out. Up to `maxBytes` (estimated) wait in
 * memory; past that, new items go to a spill file and come back in order as the memory drains, so a
 * producer never waits for a slow consumer (a worker's link is shared by every run on it) and memory
 * stays flat however long the stream.
 */
export class ItemQueue {
  private items: Array<QueuedItem & { bytes: number }> = [];
  private head = 0;
  private memoryBytes = 0;
  private spill: SpillFile | null = null;
  /** Items that went to disk, for the node's record. */
  spilled = 0;

  constructor(private readonly options: ItemQueueOptions) {}

  get isEmpty(): boolean {
    return this.head === this.items.length && (this.spill?.size ?? 0) === 0;
  }

  push(item: QueuedItem): void {
    const bytes = approximateBytes(item.value);
    (item as QueuedItem & { bytes: number }).bytes = bytes;
    const memoryFull = this.head < this.items.length && this.memoryBytes + bytes > this.options.maxBytes;
    // Once anything waits on disk, everything after it does too: the order is the arrival order.
    if (memoryFull || (this.spill?.size ?? 0) > 0) {
      this.spill ??= new SpillFile(this.options.space);
      this.spill.append(encodeMessage([item.arrival, item.edge, item.value]));
      this.spilled++;
      return;
    }
    this.items.push(item as QueuedItem & { bytes: number });
    this.memoryBytes += bytes;
  }

  peek(): QueuedItem | undefined {
    if (this.head === this.items.length) this.refill();
    return this.items[this.head];
  }

  shift(): QueuedItem | undefined {
    if (this.head === this.items.length) this.refill();
    const item = this.items[this.head];
    if (!item) return undefined;
    this.items[this.head] = undefined as never;
    this.head++;
    this.memoryBytes -= item.bytes;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Drops what waits, memory and disk. */
  dispose(): void {
    this.items = [];
    this.head = 0;
    this.memoryBytes = 0;
    this.spill?.dispose();
    this.spill = null;
  }

  private refill(): void {
    if (!this.spill || this.spill.size === 0) return;
    this.items = [];
    this.head = 0;
    for (const record of this.spill.take(this.options.maxBytes)) {
      const [arrival, edge, value] = decodeMessage(record) as [number, number, unknown];
      const bytes = approximateBytes(value);
      this.items.push({ arrival, edge, value, bytes });
      this.memoryBytes += bytes;
    }
  }
}

/** What an item takes in memory, roughly: bytes of binary and text, a small cost per value and key. */
export function approximateBytes(value: unknown): number {
  const PER_VALUE = 32;
  // Past this many values the item is large anyway: the walk stops (a huge list must not cost its size to measure).
  const MAX_VISITS = 4096;
  let total = 0;
  let visits = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    total += PER_VALUE;
    if (++visits > MAX_VISITS) return total + 1024 * 1024;
    if (typeof current === 'string') total += current.length * 2;
    else if (current instanceof Uint8Array) total += current.byteLength;
    else if (isNpArray(current)) total += current.value.byteLength;
    else if (Array.isArray(current)) for (const entry of current) stack.push(entry);
    else if (current !== null && typeof current === 'object') {
      for (const [key, entry] of Object.entries(current)) {
        total += key.length * 2;
        stack.push(entry);
      }
    }
  }
  return total;
}
