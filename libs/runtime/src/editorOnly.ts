import type { Graph } from './graph.js';

/** Node types that exist only in the editor; they never run and never fail a run. */
export const EDITOR_ONLY_TYPES = new Set([
  'nodetool.workflows.base_node.Comment',
  'nodetool.workflows.base_node.Group',
  'nodetool.workflows.base_node.Reroute',
]);

/** Removes editor-only nodes and every edge that touches them. */
export function pruneEditorOnly(graph: Graph): Graph {
  const removed = new Set(graph.nodes.filter((node) => EDITOR_ONLY_TYPES.has(node.type)).map((node) => node.id));
  if (removed.size === 0) return graph;
  return {
    nodes: graph.nodes.filter((node) => !removed.has(node.id)),
    edges: graph.edges.filter((edge) => !removed.has(edge.source) && !removed.has(edge.target)),
  };
}
