import type { NodeMetadata } from '@nt/protocol';
import { BUILTIN_NODES } from './builtins/index.js';
import { pruneEditorOnly } from './editorOnly.js';
import { GraphValidationError } from './errors.js';
import type { Graph, Workflow } from './graph.js';
import { mediaIssues } from './media/checkMedia.js';
import { NodeCatalog } from './nodeCatalog.js';
import { bindParams } from './params/bindParams.js';
import { edgeFedProperties, validateAgainstCatalog, validateStructure } from './validateGraph.js';

/** A workflow checked against a catalog and ready to run: editor-only nodes gone, params applied. */
export interface PreparedRun {
  workflow: Workflow;
  graph: Graph;
  catalog: NodeCatalog;
}

/**
 * The part of validation that needs no worker: prunes editor-only nodes, binds params to the nodes
 * they name (checked against their types), checks ids, edges and cycles, and the media values set on
 * built-in nodes (an input given nothing, another server's asset).
 */
export function prepareGraph(workflow: Workflow, params: Record<string, unknown> = {}): Graph {
  const graph = bindParams(pruneEditorOnly(workflow.graph), params, workflow.params);
  validateStructure(graph);
  const fed = edgeFedProperties(graph);
  const issues = graph.nodes.flatMap((node) => {
    const builtin = BUILTIN_NODES.get(node.type);
    return builtin ? mediaIssues(node, builtin.metadata, fed.get(node.id)) : [];
  });
  if (issues.length) throw new GraphValidationError(issues);
  return graph;
}

/** The part that needs the worker's nodes: checks types, handles and values of a prepared graph. */
export function prepareRun(workflow: Workflow, graph: Graph, workerNodes: NodeMetadata[]): PreparedRun {
  const catalog = new NodeCatalog(workerNodes);
  validateAgainstCatalog(graph, catalog);
  return { workflow, graph, catalog };
}
