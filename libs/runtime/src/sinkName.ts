import type { GraphNode } from './graph.js';

/** A Preview or Output node's result name: its `name`, else its id. */
export function sinkName(node: GraphNode): string {
  return typeof node.data['name'] === 'string' && node.data['name'] ? node.data['name'] : node.id;
}
