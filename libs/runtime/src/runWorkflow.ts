import { randomUUID } from 'node:crypto';
import type { PythonBridge, PythonBridgeOptions } from '@nt/bridge';
import type { JobEndReason } from '@nt/protocol';
import { connectPythonBridgeForGraph } from './connectPythonBridgeForGraph.js';
import { pruneEditorOnly } from './editorOnly.js';
import type { Graph, GraphNode, Workflow } from './graph.js';
import { NodeCatalog } from './nodeCatalog.js';
import type { NodeExecutor } from './nodeExecutor.js';
import { resolvePythonNodeExecutor } from './pythonNodeExecutor.js';
import type { NodeRunRecord } from './runGraph.js';
import { runGraph } from './runGraph.js';
import type { RunEvent } from './runEvents.js';
import { validateAgainstCatalog, validateStructure } from './validateGraph.js';

export interface RunWorkflowOptions {
  /** An already connected bridge (a server's); otherwise one is connected only if a node needs Python, and closed after. */
  bridge?: PythonBridge | null;
  bridgeOptions?: PythonBridgeOptions;
  /** Values for nodes whose `name` matches a key: they replace that node's `value`. */
  params?: Record<string, unknown>;
  jobId?: string;
  signal?: AbortSignal;
  onEvent?(event: RunEvent): void;
}

export interface RunResult {
  job_id: string;
  workflow_id: string;
  status: 'completed' | 'failed' | 'cancelled';
  /** Values of Preview and Output nodes, by node name (or id when unnamed). */
  outputs: Record<string, unknown>;
  nodes: Record<string, NodeRunRecord>;
  error?: string;
  duration_ms: number;
}

/**
 * Loads nothing and prints nothing: validates, connects a worker when the
 * graph needs one, brackets the run with job.start/job.end (also on failure
 * and cancel), runs it, and collects the outputs. Invalid graphs throw
 * GraphValidationError before any node runs; an unreachable worker throws the
 * bridge's error.
 */
export async function runWorkflow(workflow: Workflow, options: RunWorkflowOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const jobId = options.jobId ?? `job-${randomUUID()}`;
  const graph = applyParams(pruneEditorOnly(workflow.graph), { ...workflow.params, ...options.params });
  validateStructure(graph);

  const ownsBridge = options.bridge === undefined;
  const bridge = ownsBridge ? await connectPythonBridgeForGraph(graph, options.bridgeOptions) : options.bridge;
  const emit = (event: RunEvent) => options.onEvent?.(event);
  try {
    const catalog = new NodeCatalog(bridge?.getNodeMetadata() ?? []);
    validateAgainstCatalog(graph, catalog);

    emit({ type: 'job_update', job_id: jobId, workflow_id: workflow.id, status: 'running' });
    let reason: JobEndReason = 'failed';
    const usesWorker = bridge !== null && bridge !== undefined && graph.nodes.some((node) => catalog.lookup(node.type)?.kind === 'python');
    if (usesWorker) await bridge.startJob({ jobId, workflowId: workflow.id }).catch(() => undefined);
    try {
      const outcome = await runGraph(graph, {
        jobId,
        workflowId: workflow.id,
        signal: options.signal,
        onEvent: emit,
        executorFor: (node) => executorFor(node, catalog, bridge ?? null, (value) =>
          emit({ type: 'output_update', job_id: jobId, node_id: node.id, node_name: sinkName(node), output_name: 'output', value }),
        ),
      });
      reason = outcome.status === 'completed' ? 'completed' : outcome.status;
      const result: RunResult = {
        job_id: jobId,
        workflow_id: workflow.id,
        status: outcome.status,
        outputs: collectOutputs(graph, catalog, outcome.nodes),
        nodes: outcome.nodes,
        duration_ms: Math.round(performance.now() - started),
      };
      if (outcome.error) result.error = outcome.error;
      emit({ type: 'job_update', job_id: jobId, workflow_id: workflow.id, status: outcome.status, error: outcome.error, duration_ms: result.duration_ms });
      return result;
    } finally {
      // Models loaded for this run are released on every outcome, or the worker's cache grows until its TTL sweep.
      if (usesWorker) await bridge.endJob({ jobId, reason }).catch(() => undefined);
    }
  } finally {
    if (ownsBridge) await bridge?.close();
  }
}

/** Sink nodes (Preview, Output) also announce their value as an output_update. */
function executorFor(node: GraphNode, catalog: NodeCatalog, bridge: PythonBridge | null, onSinkValue: (value: unknown) => void): NodeExecutor {
  const entry = catalog.lookup(node.type);
  if (entry?.kind === 'builtin' && entry.node.isSink) {
    const sink = entry.node;
    return {
      async run(values, context) {
        const outputs = await sink.run(values, context);
        onSinkValue(outputs['output']);
        return outputs;
      },
    };
  }
  if (entry?.kind === 'builtin') return entry.node;
  if (entry?.kind === 'python' && bridge) return resolvePythonNodeExecutor(bridge, entry.metadata);
  throw new Error(`no executor for node type "${node.type}"`);
}

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

function sinkName(node: GraphNode): string {
  return typeof node.data['name'] === 'string' && node.data['name'] ? node.data['name'] : node.id;
}

function collectOutputs(graph: Graph, catalog: NodeCatalog, records: Record<string, NodeRunRecord>): Record<string, unknown> {
  const outputs: Record<string, unknown> = Object.create(null);
  for (const node of graph.nodes) {
    const entry = catalog.lookup(node.type);
    const record = records[node.id];
    if (entry?.kind === 'builtin' && entry.node.isSink && record?.status === 'completed') outputs[sinkName(node)] = record.outputs?.['output'];
  }
  return outputs;
}
