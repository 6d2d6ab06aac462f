import { describe, expect, it } from 'vitest';
import type { Graph, GraphNode } from './graph.js';
import type { NodeExecutor } from './nodeExecutor.js';
import type { RunEvent } from './runEvents.js';
import { runGraph } from './runGraph.js';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
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
  it('runs independent nodes concurrently and feeds outputs downstream', async () => {
    const graph: Graph = {
      nodes: [
        { id: 'a', type: 'wait', data: { ms: 300, value: 1 } },
        { id: 'b', type: 'wait', data: { ms: 300, value: 10 } },
        { id: 'c', type: 'wait', data: {} },
      ],
      edges: [edge('a', 'c')],
    };
    const started = Date.now();
    const result = await runGraph(graph, { jobId: 'j', workflowId: 'w', executorFor });
    // Sequential would take 600 ms; the margin absorbs a loaded CI machine.
    expect(Date.now() - started).toBeLessThan(550);
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
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const result = await runGraph(graph, { jobId: 'j', workflowId: 'w', executorFor, signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result.status).toBe('cancelled');
    expect(result.nodes['slow']?.status).toBe('cancelled');
    expect(result.nodes['next']?.status).toBe('skipped');
  });
});
