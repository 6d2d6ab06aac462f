import type { NodeInbox } from './nodeInbox.js';
import type { InputPlan, NodePlan } from './streamPlan.js';

/**
 * One firing's input values, or why the node can never fire: an input it needs will never get a value
 * (its source failed, was skipped or cancelled). A value, not an error: a failure at the head of a
 * 100,000-node chain skips every node after it, and an error each would cost a stack trace each.
 */
export type Firing = { inputs: Record<string, unknown> } | { skipped: string };

/**
 * The input values of each firing of a node, in order, as its plan says (docs/architecture.md, "Streams"):
 *
 * 1. `value` inputs and `collect` lists first: each holds everything it will ever hold once every edge
 *    into it has ended. Stream items wait meanwhile (in memory, then on disk), so no item is lost to a
 *    value that arrived late. (nodetool's on_any drops those early items; here each still fires.)
 * 2. A node with no `stream` input fires once with them.
 * 3. Otherwise per batch of stream items: `zip_all` takes one item of every stream per firing and stops
 *    when one runs out; `on_any` waits until every stream has an item, then fires on each arrival with
 *    the latest item of the others. `value` and `collect` inputs are held for every firing.
 *
 * Yields `{skipped}` (and ends) when a `value` or `collect` input's source stopped without completing.
 */
export async function* firings(plan: NodePlan, inbox: NodeInbox): AsyncGenerator<Firing> {
  const first = await heldInputs(plan, inbox);
  if ('skipped' in first || !plan.perItem) {
    yield first;
    return;
  }
  const held = first.inputs;
  const streams = [...plan.inputs].filter(([, input]) => input.kind === 'stream').map(([handle]) => handle);
  if (plan.syncMode === 'zip_all') {
    for (;;) {
      const batch: Record<string, unknown> = { ...held };
      for (const handle of streams) {
        const item = await inbox.next(handle);
        if (!item) return;
        batch[handle] = item.value;
      }
      yield { inputs: batch };
    }
  }
  const latest: Record<string, unknown> = {};
  const missing = new Set(streams);
  for (;;) {
    const next = await inbox.nextAny(streams);
    if (!next) return;
    const [handle, item] = next;
    latest[handle] = item.value;
    if (missing.size > 0) {
      missing.delete(handle);
      if (missing.size > 0) continue;
    }
    yield { inputs: { ...held, ...latest } };
  }
}

/**
 * What the `value` and `collect` inputs hold once every edge into them ended: the whole input of a node
 * that fires once (most nodes: a plain function, not a generator, for graphs of 100,000 of them).
 */
export async function heldInputs(plan: NodePlan, inbox: NodeInbox): Promise<Firing> {
  const held: Record<string, unknown> = {};
  for (const [handle, input] of plan.inputs) {
    if (input.kind === 'stream') continue;
    if (!inbox.edgesEnded(handle)) await inbox.untilEdgesEnded(handle);
    const failure = inbox.failureOf(handle);
    if (failure) return { skipped: failure };
    held[handle] = input.kind === 'collect' ? collected(inbox, handle, input) : lastValue(inbox, handle, input);
  }
  return { inputs: held };
}

/** Why a node with stream inputs that never fired could not: a stream whose source stopped without completing. */
export function streamFailure(plan: NodePlan, inbox: NodeInbox): string | undefined {
  for (const [handle, input] of plan.inputs) if (input.kind === 'stream' && inbox.failureOf(handle)) return inbox.failureOf(handle);
  return undefined;
}

/**
 * A `value` input: what its edge brought. Fed by several edges (not a list), the last edge in the graph
 * that brought a value wins, as before streams. A source that completed without the output the edge
 * names is an error of the graph, said as such.
 */
function lastValue(inbox: NodeInbox, handle: string, input: InputPlan): unknown {
  const byEdge = new Map<number, unknown>();
  for (let item = inbox.take(handle); item; item = inbox.take(handle)) byEdge.set(item.edge, item.value);
  let value: unknown;
  for (const { index, edge } of [...input.edges].sort((a, b) => a.index - b.index)) {
    if (!byEdge.has(index)) throw missingOutput(handle, edge.source, edge.sourceHandle);
    value = byEdge.get(index);
  }
  return value;
}

/** A `collect` input: every item of every edge into it, in arrival order; an item that is a list adds its entries (as nodetool does). */
function collected(inbox: NodeInbox, handle: string, input: InputPlan): unknown[] {
  for (const { index, edge, streaming } of input.edges) {
    if (!streaming && inbox.edgeState(index)?.delivered === 0) throw missingOutput(handle, edge.source, edge.sourceHandle);
  }
  const values: unknown[] = [];
  for (let item = inbox.take(handle); item; item = inbox.take(handle)) {
    // A loop, not a spread: a list of a million entries would overflow the call's argument stack.
    if (Array.isArray(item.value)) for (const entry of item.value) values.push(entry);
    else values.push(item.value);
  }
  return values;
}

function missingOutput(handle: string, source: string, slot: string): Error {
  return new Error(`input "${handle}" expects output "${slot}" of node "${source}", which it did not produce`);
}
