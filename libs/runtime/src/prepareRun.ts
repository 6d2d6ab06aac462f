import type { NodeMetadata } from '@nt/protocol';
import { pruneEditorOnly } from './editorOnly.js';
import type { Graph, Workflow } from './graph.js';
import { NodeCatalog } from './nodeCatalog.js';
import { validateAgainstCatalog, validateStructure } from './validateGraph.js';

/** A workflow checked against a catalog and ready to run: editor-only nodes gone, params applied. */
export interface PreparedRun {
  workflow: Workflow;
  graph: Graph;
  catalog: NodeCatalog;
}

/**
 * The part of validation that needs no worker: prunes editor-only nodes,
 * applies params, and checks ids, edges and cycles.
 */
export function prepareGraph(workflow: Workflow, params: Record<string, unknown> = {}): Graph {
  const graph = applyParams(pruneEditorOnly(workflow.graph), { ...workflow.params, ...params });
  validateStructure(graph);
  return graph;
}

/** The part that needs the worker's nodes: checks types, handles and values of a prepared graph. */
export function prepareRun(workflow: Workflow, graph: Graph, workerNodes: NodeMetadata[]): PreparedRun {
  const catalog = new NodeCatalog(workerNodes);
  validateAgainstCatalog(graph, catalog);
  return { workflow, graph, catalog };
}

/** Params replace the `value` of nodes whose `name` matches a key. */
function applyParams(graph: Graph, params: Record<string, unknown>): Graph {
  const keys = Object.keys(params);
  if (keys.length === 0) return graph;
  return {
    ...graph,
    nodes: graph.nodes.map((node) =>
      typeof node.data['name'] === 'string' && keys.includes(node.data['name']) ? { ...node, data: { ...node.data, value: params[node.data['name']] } } : node,
    ),
  };
}
