import { describe, expect, it } from 'vitest';
import type { Graph, GraphNode } from './graph.js';
import type { NodeExecutor } from './nodeExecutor.js';
import type { RunEvent } from './runEvents.js';
import { runGraph } from './runGraph.js';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('aborted'))), { once: true });
  });

/** Test executors: "wait" sleeps then returns its input plus one; "boom" throws. */
const executorFor = (node: GraphNode): NodeExecutor => ({
  async run(values, context) {
    if (node.type === 'boom') throw new Error('exploded');
    await sleep(Number(values['ms'] ?? 0), context.signal);
    return { output: Number(values['value'] ?? 0) + 1 };
  },
});

const edge = (source: string, target: string) => ({ source, sourceHandle: 'output', target, targetHandle: 'value' });

describe('runGraph', () => {
  it('runs no node of a run cancelled before it started (the abort came while the worker was starting), and says cancelled', async () => {
    const ran: string[] = [];
    const graph: Graph = { nodes: [{ id: 'a', type: 'wait', data: { ms: 10 } }], edges: [] };
    const cancelled = AbortSignal.abort(new Error('timed out after 2 s'));
    const result = await runGraph(graph, {
      jobId: 'j',
      workflowId: 'w',
      signal: cancelled,
      executorFor: (node) => ({ run: async () => (ran.push(node.id), { output: 1 }) }),
    });
    expect(result.status).toBe('cancelled');
    expect(result.nodes['a']?.status).toBe('cancelled');
    expect(ran).toEqual([]);
  });

  it('runs independent nodes concurrently and feeds outputs downstream', async () => {
    // A barrier: each of a and b finishes only once the other has started. Run one after the other,
    // they would wait for each other forever; concurrency is proven by order, not by a stopwatch.
    const started = new Map<string, () => void>();
    const startedOf = (id: string) => new Promise<void>((resolve) => started.set(id, resolve));
    const aStarted = startedOf('a');
    const bStarted = startedOf('b');
    const barrier: (node: GraphNode) => NodeExecutor = (node) => ({
      async run(values) {
        started.get(node.id)?.();
        if (node.id === 'a') await bStarted;
        if (node.id === 'b') await aStarted;
        return { output: Number(values['value'] ?? 0) + 1 };
      },
    });
    const graph: Graph = {
      nodes: [
        { id: 'a', type: 'wait', data: { value: 1 } },
        { id: 'b', type: 'wait', data: { value: 10 } },
        { id: 'c', type: 'wait', data: {} },
      ],
      edges: [edge('a', 'c')],
    };
    const result = await runGraph(graph, { jobId: 'j', workflowId: 'w', executorFor: barrier });
    expect(result.status).toBe('completed');
    expect(result.nodes['c']?.outputs).toEqual({ output: 3 });
    expect(result.nodes['b']?.outputs).toEqual({ output: 11 });
  });

  it('skips what depends on a failed node, names it, and lets other branches finish', async () => {
    const graph: Graph = {
      nodes: [
        { id: 'bad', type: 'boom', data: {} },
        { id: 'after', type: 'wait', data: {} },
        { id: 'later', type: 'wait', data: {} },
        { id: 'free', type: 'wait', data: { ms: 20 } },
      ],
      edges: [edge('bad', 'after'), edge('after', 'later')],
    };
    const events: RunEvent[] = [];
    const result = await runGraph(graph, { jobId: 'j', workflowId: 'w', executorFor, onEvent: (e) => events.push(e) });
    expect(result.status).toBe('failed');
    expect(result.error).toBe('node "bad" (boom) failed: exploded');
    expect(result.nodes['after']).toMatchObject({ status: 'skipped', error: 'skipped because node "bad" failed' });
    expect(result.nodes['later']?.status).toBe('skipped');
    expect(result.nodes['free']?.status).toBe('completed');
    expect(events.filter((e) => e.type === 'node_update' && e.node_id === 'bad').map((e) => (e as { status: string }).status)).toEqual(['running', 'failed']);
  });

  it('cancels running nodes and skips pending ones when aborted', async () => {
    const graph: Graph = {
      nodes: [
        { id: 'slow', type: 'wait', data: { ms: 5_000 } },
        { id: 'next', type: 'wait', data: {} },
      ],
      edges: [edge('slow', 'next')],
    };
    const controller = new AbortController();
    // Aborted as soon as `slow` runs; were the abort ignored, its 5-second sleep would outlast the test's timeout.
    const onEvent = (event: RunEvent) => event.type === 'node_update' && event.node_id === 'slow' && event.status === 'running' && controller.abort();
    const result = await runGraph(graph, { jobId: 'j', workflowId: 'w', executorFor, signal: controller.signal, onEvent });
    expect(result.status).toBe('cancelled');
    expect(result.nodes['slow']?.status).toBe('cancelled');
    expect(result.nodes['next']?.status).toBe('skipped');
  });
});
