import { BUILTIN_NODES } from '../builtins/index.js';
import { closeMatches } from '../closeMatches.js';
import { GraphValidationError, type ValidationIssue } from '../errors.js';
import type { Graph, GraphNode } from '../graph.js';
import { acceptValue, describeValue } from './valueTypes.js';

/**
 * A run's params bound to the graph: each replaces the `value` of the nodes whose `name` it is (input
 * nodes, and named constants as before). A value given for a node this runtime implements is checked
 * against the type of its `value` first; a param no node is named for is refused (nodetool ignores it,
 * which runs the workflow with the default the user meant to replace). `defaults` (the params saved
 * with the workflow) bind the same way, but a name no node has is left alone there.
 */
export function bindParams(graph: Graph, params: Record<string, unknown>, defaults: Record<string, unknown> = {}): Graph {
  const named = new Map<string, GraphNode[]>();
  for (const node of graph.nodes) {
    const name = node.data['name'];
    if (typeof name !== 'string' || !name || BUILTIN_NODES.get(node.type)?.isSink) continue;
    const nodes = named.get(name);
    if (nodes) nodes.push(node);
    else named.set(name, [node]);
  }
  const issues: ValidationIssue[] = [];
  const values = new Map<string, unknown>(Object.entries(defaults).filter(([name]) => named.has(name)));
  for (const [name, value] of Object.entries(params)) {
    if (named.has(name)) values.set(name, value);
    else issues.push({ message: unknownParam(name, [...named.keys()]) });
  }
  if (values.size === 0 && issues.length === 0) return graph;
  const nodes = graph.nodes.map((node) => {
    const name = node.data['name'];
    if (typeof name !== 'string' || !values.has(name) || !named.get(name)?.includes(node)) return node;
    const given = values.get(name);
    const valueType = BUILTIN_NODES.get(node.type)?.metadata.properties?.find((property) => property.name === 'value')?.type.type;
    if (valueType === undefined) return { ...node, data: { ...node.data, value: given } };
    const accepted = acceptValue(valueType, given);
    if (accepted.ok) return { ...node, data: { ...node.data, value: accepted.value } };
    issues.push({ nodeId: node.id, message: `${inputLabel(node)} takes ${accepted.takes}; got ${describeValue(given)}` });
    return node;
  });
  if (issues.length) throw new GraphValidationError(issues);
  return { ...graph, nodes };
}

/** `input "steps" (node 4, IntegerInput)`: how an error names the node a param binds to. */
export function inputLabel(node: GraphNode): string {
  const kind = node.type.startsWith('nodetool.input.') ? 'input' : 'param';
  return `${kind} "${String(node.data['name'])}" (node ${node.id}, ${node.type.split('.').pop()})`;
}

function unknownParam(name: string, inputs: string[]): string {
  const shown = name.length > 80 ? `${name.slice(0, 80)}…` : name;
  const near = closeMatches(name, inputs);
  const hint = near.length ? `; did you mean ${near.map((input) => `"${input}"`).join(', ')}?` : '';
  const listed = inputs.length
    ? ` Its inputs: ${inputs
        .slice(0, 20)
        .map((input) => `"${input}"`)
        .join(', ')}${inputs.length > 20 ? ', …' : ''}.`
    : ' It takes no params.';
  return `params name "${shown}", which no input of this workflow has${hint}${listed}`;
}
