import { GraphTooLargeError } from './errors.js';

/** How large a graph a caller accepts from outside (the server from any client). */
export interface GraphLimits {
  maxNodes: number;
  maxEdges: number;
  /** Longest node type, node id, or edge handle name, in characters. */
  maxNameLength: number;
}

export const DEFAULT_GRAPH_LIMITS: GraphLimits = { maxNodes: 10_000, maxEdges: 50_000, maxNameLength: 512 };

/**
 * Refuses a workflow document (editor format or bare graph, as parsed JSON) that is larger than the
 * limits, before any validation work: counting and measuring strings is linear and allocates nothing.
 * Shapes that are not graphs pass through; loadWorkflow names those problems.
 */
export function checkGraphLimits(document: unknown, limits: GraphLimits = DEFAULT_GRAPH_LIMITS): void {
  if (!isObject(document)) return;
  const graph = isObject(document['graph']) ? document['graph'] : document;
  const nodes = Array.isArray(graph['nodes']) ? graph['nodes'] : [];
  const edges = Array.isArray(graph['edges']) ? graph['edges'] : [];
  if (nodes.length > limits.maxNodes) {
    throw new GraphTooLargeError('nodes', nodes.length, limits.maxNodes, `the graph has ${nodes.length} nodes; at most ${limits.maxNodes} are accepted`);
  }
  if (edges.length > limits.maxEdges) {
    throw new GraphTooLargeError('edges', edges.length, limits.maxEdges, `the graph has ${edges.length} edges; at most ${limits.maxEdges} are accepted`);
  }
  const checkName = (value: unknown, what: string) => {
    if (typeof value === 'string' && value.length > limits.maxNameLength) {
      throw new GraphTooLargeError(
        'name',
        value.length,
        limits.maxNameLength,
        `${what} is ${value.length} characters long; at most ${limits.maxNameLength} are accepted`,
      );
    }
  };
  nodes.forEach((node, index) => {
    if (!isObject(node)) return;
    checkName(node['type'], `the type of nodes[${index}]`);
    checkName(node['id'], `the id of nodes[${index}]`);
  });
  edges.forEach((edge, index) => {
    if (!isObject(edge)) return;
    for (const key of ['id', 'source', 'target', 'sourceHandle', 'targetHandle']) checkName(edge[key], `"${key}" of edges[${index}]`);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
