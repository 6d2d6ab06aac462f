import { describe, expect, it } from 'vitest';
import { GraphTooLargeError, GraphValidationError } from './errors.js';
import type { Graph } from './graph.js';
import { checkGraphLimits, DEFAULT_GRAPH_LIMITS } from './graphLimits.js';
import { NodeCatalog } from './nodeCatalog.js';
import type { NodeExecutor } from './nodeExecutor.js';
import { runGraph } from './runGraph.js';
import { validateAgainstCatalog, validateStructure } from './validateGraph.js';

// Hostile or careless graphs: each check names the attack it stops. The time bounds are complexity
// guards (a quadratic or recursive path takes minutes or overflows the stack), not speed targets.
const COMPLEXITY_BOUND_MS = 5_000;

function chain(length: number): Graph {
  const nodes = Array.from({ length }, (_, i) => ({ id: `n${i}`, type: 'test.Step', data: {} }));
  const edges = nodes.slice(1).map((node, i) => ({ source: `n${i}`, sourceHandle: 'output', target: node.id, targetHandle: 'value' }));
  return { nodes, edges };
}

function fanOut(width: number): Graph {
  const nodes = [{ id: 'root', type: 'test.Step', data: {} }, ...Array.from({ length: width }, (_, i) => ({ id: `leaf${i}`, type: 'test.Step', data: {} }))];
  const edges = nodes.slice(1).map((node) => ({ source: 'root', sourceHandle: 'output', target: node.id, targetHandle: 'value' }));
  return { nodes, edges };
}

const passThrough: NodeExecutor = { run: async (values) => ({ output: values['value'] ?? 1 }) };
const failing: NodeExecutor = {
  run: async () => {
    throw new Error('boom');
  },
};

async function timed<T>(work: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe('graphs built to exhaust the stack or the CPU', () => {
  it('validates a 100,000-node chain without overflowing the stack (deep recursion attack)', async () => {
    const { ms } = await timed(() => validateStructure(chain(100_000)));
    expect(ms).toBeLessThan(COMPLEXITY_BOUND_MS);
  });

  it('finds a cycle closed at the far end of a 100,000-node chain, naming it', () => {
    const graph = chain(100_000);
    graph.edges.push({ source: 'n99999', sourceHandle: 'output', target: 'n0', targetHandle: 'value' });
    expect(() => validateStructure(graph)).toThrow(/the graph has a cycle: n0 -> n1 -> .* -> n99999 -> n0/s);
  });

  it('skips all 99,999 nodes after a failed head node without recursion', async () => {
    const { value, ms } = await timed(() =>
      runGraph(chain(100_000), { jobId: 'j', workflowId: 'w', executorFor: (node) => (node.id === 'n0' ? failing : passThrough) }),
    );
    expect(value.status).toBe('failed');
    expect(Object.values(value.nodes).filter((record) => record.status === 'skipped')).toHaveLength(99_999);
    expect(ms).toBeLessThan(COMPLEXITY_BOUND_MS);
  });

  it('runs a 50,000-edge fan-out in linear time (quadratic input lookup and completion racing)', async () => {
    const { value, ms } = await timed(() => runGraph(fanOut(50_000), { jobId: 'j', workflowId: 'w', executorFor: () => passThrough }));
    expect(value.status).toBe('completed');
    expect(Object.values(value.nodes).every((record) => record.status === 'completed')).toBe(true);
    expect(ms).toBeLessThan(COMPLEXITY_BOUND_MS);
  });

  it('answers a 10 MB unknown type name at once, quoting only its start (quadratic edit distance attack)', async () => {
    const huge = 'x'.repeat(10 * 1024 * 1024);
    const graph: Graph = { nodes: [{ id: 'a', type: huge, data: {} }], edges: [] };
    const { value: error, ms } = await timed(() => {
      try {
        validateAgainstCatalog(graph, new NodeCatalog([]));
      } catch (caught) {
        return caught as GraphValidationError;
      }
      return null;
    });
    expect(error).toBeInstanceOf(GraphValidationError);
    expect(error!.message.length).toBeLessThan(1_000);
    expect(error!.message).toMatch(/unknown type "x{120}… \(10485760 characters\)" \(node "a"\)/);
    expect(ms).toBeLessThan(COMPLEXITY_BOUND_MS);
  });

  it('says an unknown type on 20,000 nodes once, naming ten of them and counting the rest', () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => ({ id: `n${i}`, type: 'huggingface.Typo', data: {} }));
    try {
      validateAgainstCatalog({ nodes, edges: [] }, new NodeCatalog([{ node_type: 'huggingface.Typos' }]));
      expect.unreachable();
    } catch (error) {
      const { issues, message } = error as GraphValidationError;
      expect(issues).toHaveLength(1);
      expect(issues[0]?.nodeIds).toHaveLength(20_000);
      expect(message).toContain(
        'unknown type "huggingface.Typo" (nodes "n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9" and 19990 more); did you mean "huggingface.Typos"?',
      );
    }
  });

  it('lists the first 50 of 20,000 distinct unknown types and counts the rest', () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => ({ id: `n${i}`, type: `huggingface.Typo${i}`, data: {} }));
    try {
      validateAgainstCatalog({ nodes, edges: [] }, new NodeCatalog([]));
      expect.unreachable();
    } catch (error) {
      expect((error as GraphValidationError).issues).toHaveLength(20_000);
      expect((error as GraphValidationError).message).toMatch(/and 19950 more$/);
    }
  });
});

describe('checkGraphLimits', () => {
  it('refuses more nodes, edges or longer names than allowed, naming the limit, before reading further', () => {
    const big = chain(DEFAULT_GRAPH_LIMITS.maxNodes + 1);
    expect(() => checkGraphLimits({ graph: big })).toThrow(
      new GraphTooLargeError('nodes', 10_001, 10_000, 'the graph has 10001 nodes; at most 10000 are accepted'),
    );
    expect(() => checkGraphLimits({ nodes: [], edges: new Array(50_001).fill({}) })).toThrow(/50001 edges; at most 50000/);
    expect(() => checkGraphLimits({ nodes: [{ id: 'a', type: 'x'.repeat(513) }], edges: [] })).toThrow(
      /the type of nodes\[0\] is 513 characters long; at most 512/,
    );
    expect(() => checkGraphLimits({ nodes: [], edges: [{ targetHandle: 'y'.repeat(600) }] })).toThrow(/"targetHandle" of edges\[0\]/);
  });

  it('lets graphs within the limits and non-graph shapes through', () => {
    expect(() => checkGraphLimits({ graph: chain(10_000) })).not.toThrow();
    expect(() => checkGraphLimits('not a graph')).not.toThrow();
    expect(() => checkGraphLimits({ nodes: 'x' })).not.toThrow();
  });
});
