import { ItemQueue, type ItemQueueOptions, type QueuedItem } from './itemQueue.js';
import type { NodePlan } from './streamPlan.js';

/** How an edge ended: its source completed, or it stopped without completing (`failure` says why, for the nodes after it). */
export interface EdgeEnd {
  failure?: string;
}

/** The run was cancelled while a node waited for its inputs. */
export class InboxInterruptedError extends Error {
  constructor() {
    super('the run was cancelled');
    this.name = 'InboxInterruptedError';
  }
}

interface InputState {
  queue: ItemQueue;
  /** Edges into it that have not ended. */
  open: number;
}

interface EdgeState {
  input: InputState;
  delivered: number;
  end: EdgeEnd | null;
}

/**
 * What waits for one node: a queue per connected input (the edges into it share it), which edges have
 * ended and how, and the order items arrived in across inputs (on_any fires in that order). Items
 * delivered after the node ended are dropped. One consumer (the node's actor) waits on it at a time.
 */
export class NodeInbox {
  private readonly inputs = new Map<string, InputState>();
  private readonly edges = new Map<number, EdgeState>();
  private arrivals = 0;
  private wake: (() => void) | null = null;
  private interrupted = false;
  private disposed = false;

  constructor(plan: NodePlan, options: ItemQueueOptions) {
    for (const [handle, input] of plan.inputs) {
      const state: InputState = { queue: new ItemQueue(options), open: input.edges.length };
      this.inputs.set(handle, state);
      for (const { index } of input.edges) this.edges.set(index, { input: state, delivered: 0, end: null });
    }
  }

  /** An item on an edge into this node; throws when it cannot be kept (the spill allowance is used up). */
  deliver(edge: number, value: unknown): void {
    const state = this.edges.get(edge);
    if (!state || state.end || this.disposed) return;
    state.delivered++;
    state.input.queue.push({ arrival: this.arrivals++, edge, value });
    this.notify();
  }

  /** The edge's source will send nothing more. */
  end(edge: number, end: EdgeEnd): void {
    const state = this.edges.get(edge);
    if (!state || state.end) return;
    state.end = end;
    state.input.open--;
    this.notify();
  }

  /** The run was cancelled: a wait in progress, and every later one, throws InboxInterruptedError. */
  interrupt(): void {
    this.interrupted = true;
    this.notify();
  }

  /** Every edge into the input has ended (items may still wait). */
  edgesEnded(handle: string): boolean {
    return (this.inputs.get(handle)?.open ?? 0) === 0;
  }

  /** Nothing waits at the input, and nothing more will come. */
  exhausted(handle: string): boolean {
    return this.edgesEnded(handle) && (this.inputs.get(handle)?.queue.isEmpty ?? true);
  }

  /** Why an edge into the input stopped without completing, if one did. */
  failureOf(handle: string): string | undefined {
    const input = this.inputs.get(handle);
    for (const state of this.edges.values()) if (state.input === input && state.end?.failure) return state.end.failure;
    return undefined;
  }

  /** How the edge ended, and how many items it brought. */
  edgeState(edge: number): { delivered: number; end: EdgeEnd | null } | undefined {
    const state = this.edges.get(edge);
    return state && { delivered: state.delivered, end: state.end };
  }

  take(handle: string): QueuedItem | undefined {
    return this.inputs.get(handle)?.queue.shift();
  }

  /** The item that arrived first among those waiting at the given inputs. */
  takeEarliest(handles: readonly string[]): [string, QueuedItem] | undefined {
    let best: string | undefined;
    let bestArrival = Infinity;
    for (const handle of handles) {
      const head = this.inputs.get(handle)?.queue.peek();
      if (head && head.arrival < bestArrival) {
        best = handle;
        bestArrival = head.arrival;
      }
    }
    return best === undefined ? undefined : [best, this.take(best) as QueuedItem];
  }

  /** The next item at the input, waiting for it; null once it is exhausted. */
  async next(handle: string): Promise<QueuedItem | null> {
    for (;;) {
      if (this.interrupted) throw new InboxInterruptedError();
      const item = this.take(handle);
      if (item) return item;
      if (this.edgesEnded(handle)) return null;
      await this.changed();
    }
  }

  /** The next item at any of the inputs, in arrival order; null once all are exhausted. */
  async nextAny(handles: readonly string[]): Promise<[string, QueuedItem] | null> {
    for (;;) {
      if (this.interrupted) throw new InboxInterruptedError();
      const found = this.takeEarliest(handles);
      if (found) return found;
      if (handles.every((handle) => this.edgesEnded(handle))) return null;
      await this.changed();
    }
  }

  /** Waits until every edge into the input has ended. */
  async untilEdgesEnded(handle: string): Promise<void> {
    while (!this.edgesEnded(handle)) await this.changed();
  }

  /** Items that waited on disk, across inputs. */
  get spilled(): number {
    let total = 0;
    for (const input of this.inputs.values()) total += input.queue.spilled;
    return total;
  }

  /** The node is done: what still waits is dropped (spill files removed), and later items are ignored. */
  dispose(): void {
    this.disposed = true;
    for (const input of this.inputs.values()) input.queue.dispose();
  }

  private changed(): Promise<void> {
    if (this.interrupted) return Promise.reject(new InboxInterruptedError());
    return new Promise<void>((resolve) => (this.wake = resolve)).then(() => {
      if (this.interrupted) throw new InboxInterruptedError();
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
