import type { NodeMetadata } from '@nt/protocol';
import type { NodeRunRecord } from '@nt/api-contract';
import type { NodeFailedError } from './errors.js';
import { NodeActor, type RunHost } from './flow/nodeActor.js';
import { NodeInbox, type EdgeEnd } from './flow/nodeInbox.js';
import { unlimitedSpillSpace, type SpillSpace } from './flow/spillSpace.js';
import { planStreams, type NodePlan } from './flow/streamPlan.js';
import type { Graph, GraphNode } from './graph.js';
import type { NodeExecutor } from './nodeExecutor.js';
import type { JobStatus, RunEvent } from './runEvents.js';

export type { NodeRunRecord } from '@nt/api-contract';

export interface GraphRunResult {
  status: Exclude<JobStatus, 'running'>;
  nodes: Record<string, NodeRunRecord>;
  /** The first failure, naming its node. */
  error?: string;
}

/** Items of one streamed output the record keeps (NODETOOL_MAX_RECORDED_ITEMS's default). */
export const DEFAULT_MAX_RECORDED_ITEMS = 10_000;
/** What the items waiting at one input may take in memory before new ones wait on disk (NODETOOL_STREAM_QUEUE_BYTES's default). */
export const DEFAULT_STREAM_QUEUE_BYTES = 4 * 1024 * 1024;

export interface RunGraphOptions {
  jobId: string;
  workflowId: string;
  signal?: AbortSignal;
  executorFor(node: GraphNode): NodeExecutor;
  /** A node's metadata: whether it streams its outputs, which inputs are lists. Without it a node neither streams nor collects. */
  metadataOf?(node: GraphNode): NodeMetadata | undefined;
  onEvent?(event: RunEvent): void;
  /** The last items of each streamed output the record keeps. */
  maxRecordedItems?: number;
  /** What the items waiting at one input may take in memory before new ones go to disk. */
  streamQueueBytes?: number;
  /** Where those go, and what they may take there. */
  spill?: SpillSpace;
}

/**
 * Runs a validated graph as dataflow, an actor per node (flow/nodeActor.ts; docs/architecture.md,
 * "Streams"): each waits for its inputs as its plan says and fires once, or once per batch of stream
 * items; what it emits reaches the inputs after it as it is emitted, so independent branches run
 * concurrently and a stream's items flow while it runs. A node that can never fire (a source failed)
 * is skipped, naming the failed node, while unrelated branches finish; a node already firing on a
 * stream whose source then fails finishes with the items it got. An abort cancels what runs and skips
 * the rest.
 */
export async function runGraph(graph: Graph, options: RunGraphOptions): Promise<GraphRunResult> {
  const plans = planStreams(graph, (node) => options.metadataOf?.(node));
  const queueOptions = { maxBytes: options.streamQueueBytes ?? DEFAULT_STREAM_QUEUE_BYTES, space: options.spill ?? unlimitedSpillSpace() };
  const records: Record<string, NodeRunRecord> = Object.create(null);
  for (const node of graph.nodes) records[node.id] = { type: node.type, status: 'pending' };
  // Where a node's output slot goes: the target node and edge of every edge leaving it.
  const routes = new Map<string, Map<string, Array<{ target: string; edge: number }>>>();
  graph.edges.forEach((edge, index) => {
    let bySlot = routes.get(edge.source);
    if (!bySlot) routes.set(edge.source, (bySlot = new Map()));
    let targets = bySlot.get(edge.sourceHandle);
    if (!targets) bySlot.set(edge.sourceHandle, (targets = []));
    targets.push({ target: edge.target, edge: index });
  });

  const controller = new AbortController();
  const unfollow = followAbort(controller, options.signal);
  // One listener for the run, not one per node: a graph may have 100,000 of them.
  controller.signal.addEventListener('abort', () => {
    for (const inbox of inboxes.values()) inbox.interrupt();
  });

  // A node's inbox and actor exist from the moment something reaches it, or from the start for a node
  // fed by nothing: a 100,000-node chain then holds a handful of waiting actors at a time, not all of them.
  const inboxes = new Map<string, NodeInbox>();
  let finished = 0;
  let allFinished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allFinished = resolve));
  const inboxOf = (nodeId: string): NodeInbox => {
    let inbox = inboxes.get(nodeId);
    if (inbox) return inbox;
    const plan = plans.get(nodeId) as NodePlan;
    inboxes.set(nodeId, (inbox = new NodeInbox(plan, queueOptions)));
    if (controller.signal.aborted) inbox.interrupt();
    void new NodeActor(host, plan, inbox, records[nodeId] as NodeRunRecord).run().finally(() => {
      if (++finished === graph.nodes.length) allFinished();
    });
    return inbox;
  };
  const ended: Array<[string, EdgeEnd]> = [];
  let ending = false;
  const endEdge = (target: string, edge: number, end: EdgeEnd) => {
    // Nothing reached the node yet, this was its one edge, and it brings a failure: the node can never
    // fire. Skipped here, at once, without an actor (what its actor would conclude after a few awaits).
    const plan = plans.get(target) as NodePlan;
    if (end.failure && !inboxes.has(target) && plan.incomingEdges === 1) {
      const record = records[target] as NodeRunRecord;
      Object.assign(record, { status: 'skipped', error: end.failure });
      host.emit({ type: 'node_update', job_id: options.jobId, node_id: target, node_type: plan.node.type, status: 'skipped', error: end.failure });
      if (++finished === graph.nodes.length) allFinished();
      host.endEdges(target, end);
      return;
    }
    inboxOf(target).end(edge, end);
  };
  let firstError: string | undefined;
  const host: RunHost = {
    jobId: options.jobId,
    workflowId: options.workflowId,
    signal: controller.signal,
    maxRecordedItems: options.maxRecordedItems ?? DEFAULT_MAX_RECORDED_ITEMS,
    executorFor: options.executorFor,
    emit: (event) => options.onEvent?.(event),
    route: (nodeId: string, slot: string, value: unknown) => {
      for (const { target, edge } of routes.get(nodeId)?.get(slot) ?? []) inboxOf(target).deliver(edge, value);
    },
    endEdges: (nodeId: string, end: EdgeEnd) => {
      ended.push([nodeId, end]);
      if (ending) return;
      // A worklist, not recursion: a failure at the head of a 100,000-node chain skips every node after it.
      ending = true;
      for (let at = 0; at < ended.length; at++) {
        const [source, how] = ended[at] as [string, EdgeEnd];
        for (const targets of routes.get(source)?.values() ?? []) for (const { target, edge } of targets) endEdge(target, edge, how);
      }
      ended.length = 0;
      ending = false;
    },
    failed: (error: NodeFailedError) => {
      firstError ??= error.message;
    },
  };

  for (const node of graph.nodes) if ((plans.get(node.id) as NodePlan).inputs.size === 0) inboxOf(node.id);
  if (graph.nodes.length > 0) await done;
  unfollow();

  if (controller.signal.aborted) return { status: 'cancelled', nodes: records, error: 'the run was cancelled' };
  return firstError ? { status: 'failed', nodes: records, error: firstError } : { status: 'completed', nodes: records };
}

/**
 * Aborts `controller` when `signal` aborts, and at once when it already has: a run aborted before its
 * graph started (a --timeout that passed while the worker was still starting) saw its 'abort' event
 * come and go, and must still end cancelled before any node runs. Returns how to stop following it.
 */
function followAbort(controller: AbortController, signal: AbortSignal | undefined): () => void {
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  return () => signal?.removeEventListener('abort', onAbort);
}
