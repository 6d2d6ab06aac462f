import { NodeFailedError } from './errors.js';
import type { Graph, GraphEdge, GraphNode } from './graph.js';
import type { NodeExecutor } from './nodeExecutor.js';
import type { NodeRunRecord } from '@nt/api-contract';
import type { JobStatus, NodeStatus, RunEvent } from './runEvents.js';

export type { NodeRunRecord } from '@nt/api-contract';

export interface GraphRunResult {
  status: Exclude<JobStatus, 'running'>;
  nodes: Record<string, NodeRunRecord>;
  /** The first failure, naming its node. */
  error?: string;
}

export interface RunGraphOptions {
  jobId: string;
  workflowId: string;
  signal?: AbortSignal;
  executorFor(node: GraphNode): NodeExecutor;
  onEvent?(event: RunEvent): void;
}

/**
 * Runs a validated graph as dataflow: a node starts as soon as every node
 * feeding it has completed, so independent branches run concurrently. A
 * failure skips everything downstream of it (naming the failed node) while
 * unrelated branches finish; an abort cancels what runs and skips the rest.
 */
export async function runGraph(graph: Graph, options: RunGraphOptions): Promise<GraphRunResult> {
  const emit = (event: RunEvent) => options.onEvent?.(event);
  const nodes = new Map(graph.nodes.map((node) => [node.id, node]));
  const upstream = new Map<string, Set<string>>();
  const downstream = new Map<string, Set<string>>();
  const incoming = new Map<string, GraphEdge[]>();
  for (const node of graph.nodes) {
    upstream.set(node.id, new Set());
    downstream.set(node.id, new Set());
    incoming.set(node.id, []);
  }
  for (const edge of graph.edges) {
    upstream.get(edge.target)?.add(edge.source);
    downstream.get(edge.source)?.add(edge.target);
    incoming.get(edge.target)?.push(edge);
  }
  const records: Record<string, NodeRunRecord> = Object.create(null);
  for (const node of graph.nodes) records[node.id] = { type: node.type, status: 'pending' };
  const waiting = new Map([...upstream].map(([id, sources]) => [id, sources.size]));
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let firstError: string | undefined;
  // A count, not a set raced on every completion: a fan-out of thousands of nodes would make that quadratic.
  let inFlight = 0;
  let allSettled: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (allSettled = resolve));

  const setStatus = (node: GraphNode, status: NodeStatus, extra: { error?: string; duration_ms?: number } = {}) => {
    const record = records[node.id] as NodeRunRecord;
    Object.assign(record, { status, ...extra });
    const worker = record.worker ? { worker: record.worker } : {};
    emit({ type: 'node_update', job_id: options.jobId, node_id: node.id, node_type: node.type, status, ...extra, ...worker });
  };

  // With an explicit stack: a failure at the head of a long chain skips every node after it.
  const skipDownstream = (id: string, reason: string) => {
    const stack = [id];
    while (stack.length > 0) {
      for (const next of downstream.get(stack.pop() as string) ?? []) {
        if ((records[next] as NodeRunRecord).status !== 'pending') continue;
        setStatus(nodes.get(next) as GraphNode, 'skipped', { error: reason });
        stack.push(next);
      }
    }
  };

  const inputsFor = (node: GraphNode): Record<string, unknown> => {
    const values: Record<string, unknown> = { ...node.data };
    for (const edge of incoming.get(node.id) ?? []) {
      const produced = (records[edge.source] as NodeRunRecord).outputs ?? {};
      if (!(edge.sourceHandle in produced)) {
        throw new Error(`input "${edge.targetHandle}" expects output "${edge.sourceHandle}" of node "${edge.source}", which it did not produce`);
      }
      values[edge.targetHandle] = produced[edge.sourceHandle];
    }
    return values;
  };

  const start = (node: GraphNode) => {
    if (controller.signal.aborted) return;
    const task = (async () => {
      const started = performance.now();
      let executor: NodeExecutor | undefined;
      let unplaceable: unknown;
      try {
        executor = options.executorFor(node);
        const planned = executor.plannedWorker?.();
        if (planned) (records[node.id] as NodeRunRecord).worker = planned;
      } catch (error) {
        unplaceable = error;
      }
      setStatus(node, 'running');
      try {
        // A listener of the running event may have aborted the run already: then the node does not start.
        controller.signal.throwIfAborted();
        if (!executor) throw unplaceable;
        const outputs = await executor.run(inputsFor(node), {
          nodeId: node.id,
          jobId: options.jobId,
          workflowId: options.workflowId,
          signal: controller.signal,
          reportProgress: (progress, total) => emit({ type: 'node_progress', job_id: options.jobId, node_id: node.id, progress, total }),
          reportLog: (content, severity) => emit({ type: 'log_update', job_id: options.jobId, node_id: node.id, content, severity }),
          reportSecretWithheld: (setting, reason) => emit({ type: 'secret_withheld', job_id: options.jobId, node_id: node.id, setting, reason }),
          // Placed elsewhere than planned (its worker went away): say where it really runs.
          reportWorker: (name) => {
            const record = records[node.id] as NodeRunRecord;
            if (record.worker === name) return;
            record.worker = name;
            setStatus(node, 'running');
          },
        });
        (records[node.id] as NodeRunRecord).outputs = outputs;
        setStatus(node, 'completed', { duration_ms: Math.round(performance.now() - started) });
        for (const next of downstream.get(node.id) ?? []) {
          const remaining = (waiting.get(next) ?? 0) - 1;
          waiting.set(next, remaining);
          if (remaining === 0 && (records[next] as NodeRunRecord).status === 'pending') start(nodes.get(next) as GraphNode);
        }
      } catch (error) {
        const duration_ms = Math.round(performance.now() - started);
        if (controller.signal.aborted) {
          setStatus(node, 'cancelled', { duration_ms });
          return;
        }
        const failure = new NodeFailedError(node.id, node.type, `node "${node.id}" (${node.type}) failed: ${(error as Error).message}`, { cause: error });
        firstError ??= failure.message;
        setStatus(node, 'failed', { error: (error as Error).message, duration_ms });
        skipDownstream(node.id, `skipped because node "${node.id}" failed`);
      }
    })();
    inFlight++;
    void task.finally(() => {
      if (--inFlight === 0) allSettled();
    });
  };

  for (const node of graph.nodes) if ((waiting.get(node.id) ?? 0) === 0) start(node);
  if (inFlight > 0) await settled;
  options.signal?.removeEventListener('abort', onAbort);

  if (controller.signal.aborted) {
    for (const node of graph.nodes)
      if ((records[node.id] as NodeRunRecord).status === 'pending') setStatus(node, 'skipped', { error: 'the run was cancelled' });
    return { status: 'cancelled', nodes: records, error: 'the run was cancelled' };
  }
  return firstError ? { status: 'failed', nodes: records, error: firstError } : { status: 'completed', nodes: records };
}
