import type { NodeMetadata } from '@nt/protocol';
import type { Graph, GraphEdge, GraphNode, SyncMode } from '../graph.js';

/**
 * How a node takes one of its inputs (docs/architecture.md, "Streams", has the table):
 * - `value`: one value, from nodes that do not stream; held for every firing (nodetool's "sticky" input);
 * - `collect`: a list input fed by a stream or by several edges: every item, gathered into one list;
 * - `stream`: one item at a time; the node fires per item, by its sync_mode.
 */
export type InputKind = 'value' | 'collect' | 'stream';

export interface IncomingEdge {
  /** The edge's place in the graph's edge list: the order in which `value` inputs fed by several edges are applied. */
  index: number;
  edge: GraphEdge;
  /** Items on it form a stream (its source streams). */
  streaming: boolean;
}

export interface InputPlan {
  kind: InputKind;
  edges: IncomingEdge[];
}

export interface NodePlan {
  node: GraphNode;
  /** Connected inputs by handle. */
  inputs: Map<string, InputPlan>;
  /** Edges into the node, all inputs together. */
  incomingEdges: number;
  /** Some input is a `stream`: the node fires once per batch of items; otherwise exactly once. */
  perItem: boolean;
  syncMode: SyncMode;
  /** The node yields items itself (a Python node with is_streaming_output runs with execute.stream). */
  streamingOutput: boolean;
  /** What leaves the node is a stream: it yields items, or fires per item. */
  emitsStream: boolean;
  outgoing: GraphEdge[];
}

/**
 * Decides, before anything runs, how every node of a validated (acyclic) graph takes its inputs and
 * whether what it emits is a stream. An edge streams when its source yields items or fires per item,
 * so a stream reaches everything after it, except where a list input collects it: a node fed by
 * nothing that streams (collected lists included) fires once, as every node did before streams.
 */
export function planStreams(graph: Graph, metadataOf: (node: GraphNode) => NodeMetadata | undefined): Map<string, NodePlan> {
  const plans = new Map<string, NodePlan>();
  const incoming = new Map<string, IncomingEdge[]>();
  const outgoing = new Map<string, GraphEdge[]>();
  for (const node of graph.nodes) {
    incoming.set(node.id, []);
    outgoing.set(node.id, []);
  }
  graph.edges.forEach((edge, index) => {
    incoming.get(edge.target)?.push({ index, edge, streaming: false });
    outgoing.get(edge.source)?.push(edge);
  });
  for (const node of topologicalOrder(graph, incoming, outgoing)) {
    const metadata = metadataOf(node);
    const edges = incoming.get(node.id) as IncomingEdge[];
    const inputs = new Map<string, InputPlan>();
    let perItem = false;
    for (const entry of edges) {
      entry.streaming = plans.get(entry.edge.source)?.emitsStream ?? false;
      const input = inputs.get(entry.edge.targetHandle);
      if (input) input.edges.push(entry);
      else inputs.set(entry.edge.targetHandle, { kind: 'value', edges: [entry] });
    }
    for (const [handle, input] of inputs) {
      const listTyped = metadata?.properties !== undefined && isListType(metadata.properties.find((property) => property.name === handle)?.type.type);
      const streamed = input.edges.some((entry) => entry.streaming);
      input.kind = streamed ? (listTyped ? 'collect' : 'stream') : listTyped && input.edges.length > 1 ? 'collect' : 'value';
      if (input.kind === 'stream') perItem = true;
    }
    const streamingOutput = metadata?.is_streaming_output === true;
    plans.set(node.id, {
      node,
      inputs,
      incomingEdges: edges.length,
      perItem,
      syncMode: node.sync_mode ?? 'on_any',
      streamingOutput,
      emitsStream: streamingOutput || perItem,
      outgoing: outgoing.get(node.id) as GraphEdge[],
    });
  }
  return plans;
}

/** `list[str]`, `List[ImageRef]`, `list[str] | None`, `Optional[list[int]]`, `list`: what nodetool collects into. */
export function isListType(type: string | undefined): boolean {
  if (!type) return false;
  const bare = type
    .replace(/\s/g, '')
    .replace(/\|None$/, '')
    .replace(/^Optional\[(.*)\]$/, '$1');
  return /^(list|List|Sequence)(\[|$)/.test(bare);
}

/** Kahn's algorithm: linear, no recursion (a 100,000-node chain is as deep as it is long). */
function topologicalOrder(graph: Graph, incoming: Map<string, IncomingEdge[]>, outgoing: Map<string, GraphEdge[]>): GraphNode[] {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const waiting = new Map(graph.nodes.map((node) => [node.id, incoming.get(node.id)?.length ?? 0]));
  const ready = graph.nodes.filter((node) => waiting.get(node.id) === 0);
  const order: GraphNode[] = [];
  for (let at = 0; at < ready.length; at++) {
    const node = ready[at] as GraphNode;
    order.push(node);
    for (const edge of outgoing.get(node.id) ?? []) {
      const left = (waiting.get(edge.target) ?? 0) - 1;
      waiting.set(edge.target, left);
      if (left === 0) ready.push(byId.get(edge.target) as GraphNode);
    }
  }
  return order;
}
