import { describe, expect, it } from 'vitest';
import type { NodeMetadata } from '@nt/protocol';
import type { Graph, GraphNode, SyncMode } from '../graph.js';
import type { NodeExecutor } from '../nodeExecutor.js';
import type { RunEvent } from '../runEvents.js';
import { runGraph, type RunGraphOptions } from '../runGraph.js';

// The rules of docs/architecture.md's "Streams" table, one example graph per row, with TypeScript
// stand-ins for nodes (a counter that streams, arithmetic, a sink). The same rules with the real
// worker's streaming nodes are in runWorkflow.integration.ts and the server's streaming suite.

/** A hand-opened gate: a stream waits at it before an item, so a test decides how two streams interleave. */
class Gates {
  private readonly opened = new Map<string, () => void>();
  private readonly waits = new Map<string, Promise<void>>();
  wait(name: string): Promise<void> {
    let wait = this.waits.get(name);
    if (!wait) this.waits.set(name, (wait = new Promise<void>((resolve) => this.opened.set(name, resolve))));
    return wait;
  }
  open(name: string): void {
    void this.wait(name);
    this.opened.get(name)?.();
  }
}

const metadata = (type: string, extra: Partial<NodeMetadata> = {}): NodeMetadata => ({ node_type: type, is_streaming_output: false, ...extra });
const CATALOG: Record<string, NodeMetadata> = {
  count: metadata('count', { is_streaming_output: true }),
  words: metadata('words', { is_streaming_output: true }),
  repeat: metadata('repeat', { is_streaming_output: true }),
  failAfter: metadata('failAfter', { is_streaming_output: true }),
  sum: metadata('sum', { properties: [{ name: 'values', type: { type: 'list[int]' } }] }),
};

function executors(gates = new Gates(), log: string[] = []): (node: GraphNode) => NodeExecutor {
  return (node) => {
    switch (node.type) {
      case 'count':
        return {
          run: async () => ({}),
          async *stream(values, context) {
            for (let index = 0; index < Number(values['count']); index++) {
              // Like the bridge, it stops waiting when the run is cancelled.
              if (values['gated'])
                await Promise.race([gates.wait(`${node.id}:${index}`), new Promise((_, reject) => context.signal.addEventListener('abort', reject))]);
              yield { index };
            }
          },
        };
      case 'words':
        return {
          run: async () => ({}),
          async *stream(values) {
            for (const word of String(values['text']).split(' ')) yield { chunk: { type: 'chunk', content: `${word} `, content_type: 'text', done: false } };
            yield { chunk: { type: 'chunk', content: '', content_type: 'text', done: true } };
          },
        };
      case 'repeat':
        return {
          run: async () => ({}),
          async *stream(values) {
            for (let time = 0; time < Number(values['times']); time++) yield { output: values['value'] };
          },
        };
      case 'failAfter':
        return {
          run: async () => ({}),
          async *stream(values) {
            for (let index = 0; index < Number(values['items']); index++) yield { index };
            throw new Error('the stream broke');
          },
        };
      case 'double':
        return { run: async (values) => (log.push(`double ${String(values['value'])}`), { output: Number(values['value']) * 2 }) };
      case 'add':
        return { run: async (values) => ({ output: Number(values['a']) + Number(values['b']) }) };
      case 'pair':
        return { run: async (values) => ({ output: [values['a'], values['b']] }) };
      case 'sum':
        return { run: async (values) => ({ output: (values['values'] as number[]).reduce((total, value) => total + value, 0) }) };
      case 'constant':
        return { run: async (values) => ({ output: values['value'] }) };
      case 'preview':
        return { isSink: true, run: async (values) => ({ output: values['value'] ?? null }) };
      default:
        throw new Error(`no test executor for ${node.type}`);
    }
  };
}

const node = (id: string, type: string, data: Record<string, unknown> = {}, sync_mode?: SyncMode): GraphNode => ({
  id,
  type,
  data,
  ...(sync_mode ? { sync_mode } : {}),
});
const edge = (source: string, target: string, targetHandle = 'value', sourceHandle = 'output') => ({ source, sourceHandle, target, targetHandle });

async function run(graph: Graph, extra: Partial<RunGraphOptions> & { gates?: Gates; log?: string[] } = {}) {
  const events: RunEvent[] = [];
  const result = await runGraph(graph, {
    jobId: 'j',
    workflowId: 'w',
    executorFor: executors(extra.gates, extra.log),
    metadataOf: (n) => CATALOG[n.type],
    onEvent: (event) => events.push(event),
    ...extra,
  });
  const outputsOf = (id: string) => result.nodes[id]?.outputs;
  return { result, events, outputsOf };
}

describe('streams: how each kind of node runs', () => {
  it('row 1: a node fed by nothing that streams fires once with its inputs, as before streams', async () => {
    const { result, outputsOf, events } = await run({
      nodes: [node('c', 'constant', { value: 4 }), node('d', 'double'), node('p', 'preview')],
      edges: [edge('c', 'd'), edge('d', 'p')],
    });
    expect(result.status).toBe('completed');
    expect(outputsOf('p')).toEqual({ output: 8 });
    expect(result.nodes['p']?.streamed).toBeUndefined();
    expect(events.filter((e) => e.type === 'output_update')).toEqual([expect.objectContaining({ node_name: 'p', value: 8 })]);
    expect(events.find((e) => e.type === 'output_update')).not.toHaveProperty('item');
  });

  it('row 2: a streaming node fed by nothing that streams runs its stream once; a sink keeps every item, in order', async () => {
    const { result, outputsOf, events } = await run({
      nodes: [node('n', 'count', { count: 4 }), node('p', 'preview')],
      edges: [edge('n', 'p', 'value', 'index')],
    });
    expect(result.status).toBe('completed');
    expect(outputsOf('p')).toEqual({ output: [0, 1, 2, 3] });
    expect(result.nodes['p']?.streamed).toEqual({ output: { items: 4, left_out: 0 } });
    expect(outputsOf('n')).toEqual({ index: [0, 1, 2, 3] });
    const updates = events.filter((e) => e.type === 'output_update');
    expect(updates.map((e) => [e.value, e.item])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it('row 3: a buffered node fed by a stream fires once per item, and what it emits is a stream too', async () => {
    const log: string[] = [];
    const { outputsOf } = await run(
      { nodes: [node('n', 'count', { count: 3 }), node('d', 'double'), node('p', 'preview')], edges: [edge('n', 'd', 'value', 'index'), edge('d', 'p')] },
      { log },
    );
    expect(log).toEqual(['double 0', 'double 1', 'double 2']);
    expect(outputsOf('d')).toEqual({ output: [0, 2, 4] });
    expect(outputsOf('p')).toEqual({ output: [0, 2, 4] });
  });

  it('row 4: a value input beside a stream is held for every firing (sticky)', async () => {
    const { outputsOf } = await run({
      nodes: [node('n', 'count', { count: 3 }), node('ten', 'constant', { value: 10 }), node('add', 'add'), node('p', 'preview')],
      edges: [edge('n', 'add', 'a', 'index'), edge('ten', 'add', 'b'), edge('add', 'p')],
    });
    expect(outputsOf('p')).toEqual({ output: [10, 11, 12] });
  });

  it('row 5: on_any waits until every stream has an item, then fires on each arrival with the latest of the others', async () => {
    const gates = new Gates();
    const graph: Graph = {
      nodes: [node('x', 'count', { count: 2, gated: true }), node('y', 'count', { count: 2, gated: true }), node('pair', 'pair'), node('p', 'preview')],
      edges: [edge('x', 'pair', 'a', 'index'), edge('y', 'pair', 'b', 'index'), edge('pair', 'p')],
    };
    const running = run(graph, { gates });
    // x0, x1 arrive before y has anything: the first firing waits for y0 and takes the latest x (x1).
    gates.open('x:0');
    gates.open('x:1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    gates.open('y:0');
    await new Promise((resolve) => setTimeout(resolve, 20));
    gates.open('y:1');
    const { outputsOf } = await running;
    expect(outputsOf('p')).toEqual({
      output: [
        [1, 0],
        [1, 1],
      ],
    });
  });

  it('row 6: zip_all takes one item of each stream per firing and stops when the shorter ends', async () => {
    const { outputsOf } = await run({
      nodes: [node('x', 'count', { count: 3 }), node('y', 'count', { count: 5 }), node('pair', 'pair', {}, 'zip_all'), node('p', 'preview')],
      edges: [edge('x', 'pair', 'a', 'index'), edge('y', 'pair', 'b', 'index'), edge('pair', 'p')],
    });
    expect(outputsOf('p')).toEqual({
      output: [
        [0, 0],
        [1, 1],
        [2, 2],
      ],
    });
  });

  it('row 7: a streaming node fed by a stream runs its stream once per item, and every item of every run flows on', async () => {
    const { outputsOf } = await run({
      nodes: [node('n', 'count', { count: 3 }), node('r', 'repeat', { times: 2 }), node('p', 'preview')],
      edges: [edge('n', 'r', 'value', 'index'), edge('r', 'p')],
    });
    expect(outputsOf('p')).toEqual({ output: [0, 0, 1, 1, 2, 2] });
  });

  it('row 8: a list input fed by a stream collects every item and the node fires once; after it, nothing streams', async () => {
    const { outputsOf, result } = await run({
      nodes: [node('n', 'count', { count: 4 }), node('s', 'sum'), node('p', 'preview')],
      edges: [edge('n', 's', 'values', 'index'), edge('s', 'p')],
    });
    expect(outputsOf('s')).toEqual({ output: 6 });
    expect(outputsOf('p')).toEqual({ output: 6 });
    expect(result.nodes['p']?.streamed).toBeUndefined();
  });

  it('row 9: a list input fed by several edges collects their values (a list value adds its entries)', async () => {
    const { outputsOf } = await run({
      nodes: [node('a', 'constant', { value: 1 }), node('b', 'constant', { value: [2, 3] }), node('s', 'sum'), node('p', 'preview')],
      edges: [edge('a', 's', 'values'), edge('b', 's', 'values'), edge('s', 'p')],
    });
    expect(outputsOf('s')).toEqual({ output: 6 });
  });

  it('row 10: a sink fed by text chunks holds their joined text; each chunk is announced as it comes', async () => {
    const { outputsOf, events, result } = await run({
      nodes: [node('w', 'words', { text: 'streams reach the page' }), node('p', 'preview', { name: 'answer' })],
      edges: [edge('w', 'p', 'value', 'chunk')],
    });
    expect(outputsOf('p')).toEqual({ output: 'streams reach the page ' });
    expect(result.nodes['p']?.streamed).toEqual({ output: { items: 5, left_out: 0 } });
    expect(events.filter((e) => e.type === 'output_update')).toHaveLength(5);
  });

  it('row 11: a stream whose source fails midway: the nodes after it keep what came before, the run fails naming it', async () => {
    const { result, outputsOf } = await run({
      nodes: [node('f', 'failAfter', { items: 2 }), node('d', 'double'), node('p', 'preview')],
      edges: [edge('f', 'd', 'value', 'index'), edge('d', 'p')],
    });
    expect(result.status).toBe('failed');
    expect(result.error).toBe('node "f" (failAfter) failed: the stream broke');
    expect(result.nodes['f']?.status).toBe('failed');
    expect(outputsOf('f')).toEqual({ index: [0, 1] });
    expect(result.nodes['d']?.status).toBe('completed');
    expect(outputsOf('p')).toEqual({ output: [0, 2] });
  });

  it('row 12: a node fed by a stream that brings nothing fires zero times; a sink holds an empty list', async () => {
    const log: string[] = [];
    const { result, outputsOf } = await run(
      { nodes: [node('n', 'count', { count: 0 }), node('d', 'double'), node('p', 'preview')], edges: [edge('n', 'd', 'value', 'index'), edge('d', 'p')] },
      { log },
    );
    expect(result.status).toBe('completed');
    expect(log).toEqual([]);
    expect(outputsOf('p')).toEqual({ output: [] });
  });

  it('a node that can never fire because a stream failed before its first item is skipped, naming the failed node', async () => {
    const { result } = await run({
      nodes: [node('f', 'failAfter', { items: 0 }), node('d', 'double'), node('p', 'preview')],
      edges: [edge('f', 'd', 'value', 'index'), edge('d', 'p')],
    });
    expect(result.nodes['d']).toMatchObject({ status: 'skipped', error: 'skipped because node "f" failed' });
    expect(result.nodes['p']).toMatchObject({ status: 'skipped', error: 'skipped because node "f" failed' });
  });

  it('keeps the last NODETOOL_MAX_RECORDED_ITEMS items of a stream in the record and says how many it left out', async () => {
    const { outputsOf, result } = await run(
      { nodes: [node('n', 'count', { count: 25 }), node('p', 'preview')], edges: [edge('n', 'p', 'value', 'index')] },
      { maxRecordedItems: 10 },
    );
    expect(outputsOf('p')).toEqual({ output: [15, 16, 17, 18, 19, 20, 21, 22, 23, 24] });
    expect(result.nodes['p']?.streamed).toEqual({ output: { items: 25, left_out: 15 } });
  });

  it('a slow consumer never holds the stream up: items past the bound wait on disk and arrive whole, in order', async () => {
    const graph: Graph = {
      nodes: [node('n', 'count', { count: 2_000 }), node('slow', 'slow'), node('p', 'preview')],
      edges: [edge('n', 'slow', 'value', 'index'), edge('slow', 'p')],
    };
    let producerDone = 0;
    let consumed = 0;
    const base = executors();
    const result = await runGraph(graph, {
      jobId: 'j',
      workflowId: 'w',
      metadataOf: (n) => CATALOG[n.type],
      streamQueueBytes: 1024,
      maxRecordedItems: 5_000,
      executorFor: (n) =>
        n.type === 'slow'
          ? {
              run: async (values) => {
                if (consumed++ % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
                return { output: values['value'] };
              },
            }
          : base(n),
      onEvent: (event) => {
        if (event.type === 'node_update' && event.node_id === 'n' && event.status === 'completed') producerDone = consumed;
      },
    });
    expect(result.status).toBe('completed');
    // The producer finished while most items still waited for the consumer.
    expect(producerDone).toBeLessThan(1_000);
    expect(result.nodes['slow']?.spilled_items).toBeGreaterThan(1_000);
    expect(result.nodes['p']?.outputs).toEqual({ output: Array.from({ length: 2_000 }, (_, index) => index) });
  });

  it('a cancel mid-stream stops the stream and the nodes waiting on it', async () => {
    const gates = new Gates();
    const controller = new AbortController();
    const running = run(
      { nodes: [node('n', 'count', { count: 5, gated: true }), node('p', 'preview')], edges: [edge('n', 'p', 'value', 'index')] },
      { gates, signal: controller.signal },
    );
    gates.open('n:0');
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    gates.open('n:1');
    const { result, outputsOf } = await running;
    expect(result.status).toBe('cancelled');
    expect(result.nodes['n']?.status).toBe('cancelled');
    expect(result.nodes['p']?.status).toBe('cancelled');
    expect(outputsOf('p')).toEqual({ output: [0] });
  });
});
