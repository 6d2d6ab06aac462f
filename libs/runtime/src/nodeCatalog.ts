import type { NodeMetadata } from '@nt/protocol';
import { BUILTIN_NODES } from './builtins/index.js';
import type { BuiltinNode } from './nodeExecutor.js';

export type CatalogEntry = { kind: 'builtin'; node: BuiltinNode; metadata: NodeMetadata } | { kind: 'python'; metadata: NodeMetadata };

/** The node types a run can use: TS built-ins first, then what the worker's discover listed. */
export class NodeCatalog {
  private readonly python = new Map<string, NodeMetadata>();

  constructor(workerNodes: NodeMetadata[] = []) {
    for (const metadata of workerNodes) if (!BUILTIN_NODES.has(metadata.node_type)) this.python.set(metadata.node_type, metadata);
  }

  lookup(nodeType: string): CatalogEntry | undefined {
    const builtin = BUILTIN_NODES.get(nodeType);
    if (builtin) return { kind: 'builtin', node: builtin, metadata: builtin.metadata };
    const metadata = this.python.get(nodeType);
    return metadata ? { kind: 'python', metadata } : undefined;
  }

  allTypes(): string[] {
    return [...BUILTIN_NODES.keys(), ...this.python.keys()];
  }

  allMetadata(): NodeMetadata[] {
    return [...[...BUILTIN_NODES.values()].map((node) => node.metadata), ...this.python.values()];
  }
}

export function isBuiltinType(nodeType: string): boolean {
  return BUILTIN_NODES.has(nodeType);
}

/** Whether a run of this graph needs a Python worker: some node has no TypeScript implementation. */
export function graphNeedsWorker(graph: { nodes: ReadonlyArray<{ type: string }> }): boolean {
  return graph.nodes.some((node) => !isBuiltinType(node.type));
}
