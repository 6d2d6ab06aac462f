import type { NodeMetadata } from '@nt/protocol';
import { pruneEditorOnly } from './editorOnly.js';
import type { Graph, Workflow } from './graph.js';
import { NodeCatalog } from './nodeCatalog.js';
import { bindParams } from './params/bindParams.js';
import { validateAgainstCatalog, validateStructure } from './validateGraph.js';

/** A workflow checked against a catalog and ready to run: editor-only nodes gone, params applied. */
export interface PreparedRun {
  workflow: Workflow;
  graph: Graph;
  catalog: NodeCatalog;
}

/**
 * The part of validation that needs no worker: prunes editor-only nodes, binds params to the nodes
 * they name (checked against their types), and checks ids, edges and cycles.
 */
export function prepareGraph(workflow: Workflow, params: Record<string, unknown> = {}): Graph {
  const graph = bindParams(pruneEditorOnly(workflow.graph), params, workflow.params);
  validateStructure(graph);
  return graph;
}

/**
 * The part that needs the worker's nodes: checks types, handles and values of a prepared graph, the
 * media set on its nodes among them, so one refusal lists everything (an input given nothing and the
 * node types nobody offers).
 */
export function prepareRun(workflow: Workflow, graph: Graph, workerNodes: NodeMetadata[]): PreparedRun {
  const catalog = new NodeCatalog(workerNodes);
  validateAgainstCatalog(graph, catalog);
  return { workflow, graph, catalog };
}
