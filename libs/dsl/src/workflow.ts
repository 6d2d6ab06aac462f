import { DslNode, OutputHandle, type SyncMode } from './dslNode.js';

export interface GraphJson {
  id?: string;
  name?: string;
  nodes: Array<{ id: string; type: string; data: Record<string, unknown>; sync_mode?: SyncMode }>;
  edges: Array<{ id: string; source: string; sourceHandle: string; target: string; targetHandle: string }>;
}

export interface WorkflowMeta {
  id?: string;
  name?: string;
}

/**
 * Collects the given nodes and everything feeding them into the graph JSON
 * the runtime loads. Nodes come out in declaration order; literal inputs go
 * to `data`, node inputs become edges.
 */
export function workflow(...items: Array<DslNode | WorkflowMeta>): GraphJson {
  const meta = items.find((item): item is WorkflowMeta => !(item instanceof DslNode)) ?? {};
  const seen = new Map<string, DslNode>();
  const queue = items.filter((item): item is DslNode => item instanceof DslNode);
  while (queue.length) {
    const node = queue.shift() as DslNode;
    const existing = seen.get(node.id);
    if (existing === node) continue;
    if (existing) throw new Error(`two different nodes share the id "${node.id}"`);
    seen.set(node.id, node);
    for (const value of Object.values(node.inputs)) {
      const source = sourceOf(value);
      if (source) queue.push(source.node);
    }
  }
  const nodes = [...seen.values()].sort((a, b) => a.order - b.order);
  const graph: GraphJson = { nodes: [], edges: [] };
  if (meta.id) graph.id = meta.id;
  if (meta.name) graph.name = meta.name;
  for (const node of nodes) {
    const data: Record<string, unknown> = {};
    for (const [input, value] of Object.entries(node.inputs)) {
      const source = sourceOf(value);
      if (source) {
        graph.edges.push({
          id: `${source.node.id}.${source.slot}->${node.id}.${input}`,
          source: source.node.id,
          sourceHandle: source.slot,
          target: node.id,
          targetHandle: input,
        });
      } else {
        assertNoNestedHandle(value, `${node.id}.${input}`);
        if (value !== undefined) data[input] = value;
      }
    }
    graph.nodes.push({ id: node.id, type: node.type, data, ...(node.syncMode ? { sync_mode: node.syncMode } : {}) });
  }
  return graph;
}

function sourceOf(value: unknown): OutputHandle | null {
  if (value instanceof OutputHandle) return value;
  if (value instanceof DslNode) return value.output();
  return null;
}

/** A handle buried in a list or object would silently drop its producer, so it is refused. */
function assertNoNestedHandle(value: unknown, where: string): void {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
  for (const entry of Object.values(value as Record<string, unknown>)) {
    if (entry instanceof OutputHandle || entry instanceof DslNode) {
      throw new TypeError(`input ${where} holds a node inside a list or object; connect it to an input directly`);
    }
    assertNoNestedHandle(entry, where);
  }
}
