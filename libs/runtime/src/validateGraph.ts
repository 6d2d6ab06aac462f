import type { NodeMetadata } from '@nt/protocol';
import { closeMatches } from './closeMatches.js';
import { GraphValidationError, type ValidationIssue } from './errors.js';
import type { Graph, GraphNode } from './graph.js';
import { mediaIssues } from './media/checkMedia.js';
import type { NodeCatalog } from './nodeCatalog.js';

/**
 * Checks what can be checked without knowing node types: unique ids, edges
 * between existing nodes, no cycles. Runs before any worker is started.
 */
export function validateStructure(graph: Graph): void {
  const issues: ValidationIssue[] = [];
  const ids = new Set<string>();
  for (const node of graph.nodes) {
    if (ids.has(node.id)) issues.push({ nodeId: node.id, message: `node "${node.id}" appears more than once` });
    ids.add(node.id);
  }
  for (const edge of graph.edges) {
    const label = `edge ${edge.id ?? `${edge.source}.${edge.sourceHandle} -> ${edge.target}.${edge.targetHandle}`}`;
    if (!ids.has(edge.source)) issues.push({ nodeId: edge.source, message: `${label} comes from node "${edge.source}", which does not exist` });
    if (!ids.has(edge.target)) issues.push({ nodeId: edge.target, message: `${label} goes to node "${edge.target}", which does not exist` });
  }
  const cycle = findCycle(graph);
  if (cycle) issues.push({ nodeId: cycle[0], message: `the graph has a cycle: ${cycle.join(' -> ')}` });
  if (issues.length) throw new GraphValidationError(issues);
}

/** Checks node types, handles and literal values against the catalog. */
export function validateAgainstCatalog(graph: Graph, catalog: NodeCatalog): void {
  const issues: ValidationIssue[] = [];
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const fed = edgeFedProperties(graph);
  // Each unknown type once, with the nodes that have it: a graph may repeat the same typo many times.
  const unknown = new Map<string, string[]>();
  for (const node of graph.nodes) {
    const entry = catalog.lookup(node.type);
    if (!entry) {
      const ids = unknown.get(node.type);
      if (ids) ids.push(node.id);
      else unknown.set(node.type, [node.id]);
      continue;
    }
    // The worker takes no input streams (protocol 8.1): such a node would run with one batch of its input, wrongly.
    if (entry.metadata.is_streaming_input) {
      issues.push({
        nodeId: node.id,
        message: `node "${node.id}" (${shorten(node.type)}) reads its inputs as streams (is_streaming_input), which the worker cannot feed it; it cannot run here`,
      });
      continue;
    }
    issues.push(...checkValues(node, entry.metadata));
    issues.push(...mediaIssues(node, entry.metadata, fed.get(node.id)));
  }
  // Suggestions cost an edit distance per known type: only the types a message lists get them.
  let suggested = 0;
  for (const [type, ids] of unknown) issues.push(unknownTypeIssue(type, ids, suggested++ < SUGGESTED_TYPES ? catalog : null));
  for (const edge of graph.edges) {
    const source = byId.get(edge.source);
    const target = byId.get(edge.target);
    const sourceMeta = source && catalog.lookup(source.type)?.metadata;
    const targetMeta = target && catalog.lookup(target.type)?.metadata;
    const outputs = sourceMeta?.outputs ?? [];
    if (sourceMeta && outputs.length > 0 && !outputs.some((output) => output.name === edge.sourceHandle)) {
      issues.push({
        nodeId: edge.source,
        message: `node "${edge.source}" (${source.type}) has no output "${edge.sourceHandle}"; it has ${outputs.map((o) => `"${o.name}"`).join(', ')}`,
      });
    }
    const properties = targetMeta?.properties ?? [];
    if (targetMeta && !targetMeta.is_dynamic && !properties.some((property) => property.name === edge.targetHandle)) {
      issues.push({
        nodeId: edge.target,
        message: `node "${edge.target}" (${target.type}) has no input "${edge.targetHandle}"; it has ${properties.map((p) => `"${p.name}"`).join(', ') || 'none'}`,
      });
    }
  }
  if (issues.length) throw new GraphValidationError(issues);
}

/**
 * nodetool's own TypeScript base nodes (nodetool-ai/nodetool, packages/base-nodes): image and video
 * editing, lists, text, control flow, `lib.*` wrappers of libraries. This server runs HuggingFace and
 * worker nodes and a few built-ins, not those.
 */
const UPSTREAM_BASE_NAMESPACES = /^(nodetool|lib)\./;

const SUGGESTED_TYPES = 50;

/**
 * One unknown type, the nodes that have it, close matches, and where it comes from when that is
 * upstream (then only types of its own namespace are suggested: a resize is not a constant image, and
 * a type that has one is taken for a typo).
 */
function unknownTypeIssue(type: string, ids: string[], catalog: NodeCatalog | null): ValidationIssue {
  const upstream = UPSTREAM_BASE_NAMESPACES.test(type);
  const namespace = type.slice(0, type.lastIndexOf('.') + 1);
  const candidates = catalog?.allTypes().filter((known) => !upstream || known.startsWith(namespace)) ?? [];
  const suggestions = closeMatches(type, candidates);
  const nodes = `${ids.length === 1 ? 'node' : 'nodes'} ${ids
    .slice(0, 10)
    .map((id) => `"${shorten(id, 40)}"`)
    .join(', ')}${ids.length > 10 ? ` and ${ids.length - 10} more` : ''}`;
  // A near miss in its own namespace is a typo of a type we have, not a base node we lack.
  const origin =
    upstream && suggestions.length === 0
      ? ": one of upstream nodetool's base nodes, which this server does not provide (neither its workers nor its built-ins offer it)"
      : '';
  const hint = suggestions.length
    ? `; did you mean ${suggestions.map((suggestion) => `"${suggestion}"`).join(', ')}?`
    : origin || !catalog
      ? ''
      : '; no similar type is offered by the worker or the built-ins';
  return { nodeId: ids[0], nodeIds: ids, message: `unknown type "${shorten(type)}" (${nodes})${origin}${hint}` };
}

/** The properties of each node that an edge feeds, by node id. */
export function edgeFedProperties(graph: Graph): Map<string, Set<string>> {
  const fed = new Map<string, Set<string>>();
  for (const edge of graph.edges) {
    const names = fed.get(edge.target);
    if (names) names.add(edge.targetHandle);
    else fed.set(edge.target, new Set([edge.targetHandle]));
  }
  return fed;
}

/** Long strings (a type name is user input) are quoted by their start only. */
function shorten(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** Literal values whose declared type is a plain Python scalar or container must have that shape. */
function checkValues(node: GraphNode, metadata: NodeMetadata): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const property of metadata.properties ?? []) {
    if (!(property.name in node.data)) continue;
    const value = node.data[property.name];
    const expected = property.type.type.replace(/\s/g, '');
    const problem = shapeProblem(expected, value);
    if (problem) issues.push({ nodeId: node.id, message: `node "${node.id}" (${node.type}): property "${property.name}" ${problem}` });
  }
  return issues;
}

function shapeProblem(type: string, value: unknown): string | null {
  // null leaves a property at its default on the worker, so it is never a shape error.
  if (value === null) return null;
  const base = type.replace(/\|None$/, '').replace(/^Optional\[(.*)\]$/, '$1');
  const actual = Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  if (base === 'str' && typeof value !== 'string') return `must be a string, got ${actual}`;
  if (base === 'int' && !Number.isInteger(value)) return `must be an integer, got ${typeof value === 'number' ? value : actual}`;
  if (base === 'float' && typeof value !== 'number') return `must be a number, got ${actual}`;
  if (base === 'bool' && typeof value !== 'boolean') return `must be true or false, got ${actual}`;
  if (/^list(\[|$)/.test(base) && !Array.isArray(value)) return `must be a list, got ${actual}`;
  if (/^dict(\[|$)/.test(base) && (typeof value !== 'object' || Array.isArray(value))) return `must be an object, got ${actual}`;
  return null;
}

/**
 * A cycle as a path of node ids, or null. Depth-first with an explicit stack: a 100,000-node chain is as
 * deep as it is long, and recursion would overflow the call stack long before that.
 */
function findCycle(graph: Graph): string[] | null {
  const next = new Map<string, string[]>();
  for (const edge of graph.edges) {
    const targets = next.get(edge.source);
    if (targets) targets.push(edge.target);
    else next.set(edge.source, [edge.target]);
  }
  const VISITING = 1;
  const DONE = 2;
  const state = new Map<string, number>();
  for (const root of graph.nodes) {
    if (state.has(root.id)) continue;
    const stack: Array<{ id: string; index: number }> = [{ id: root.id, index: 0 }];
    state.set(root.id, VISITING);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { id: string; index: number };
      const targets = next.get(frame.id) ?? [];
      if (frame.index === targets.length) {
        state.set(frame.id, DONE);
        stack.pop();
        continue;
      }
      const target = targets[frame.index++] as string;
      const seen = state.get(target);
      if (seen === VISITING) return [...stack.slice(stack.findIndex((entry) => entry.id === target)).map((entry) => entry.id), target];
      if (seen === undefined) {
        state.set(target, VISITING);
        stack.push({ id: target, index: 0 });
      }
    }
  }
  return null;
}
