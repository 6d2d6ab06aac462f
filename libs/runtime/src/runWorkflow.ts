import { newJobId } from '@nt/api-contract';
import { readSetting } from '@nt/settings';
import type { RunAssets } from './runAssets.js';
import type { PythonBridge, PythonBridgeOptions } from '@nt/bridge';
import type { JobEndReason } from '@nt/protocol';
import { connectPythonBridgeForGraph } from './connectPythonBridgeForGraph.js';
import type { Graph, GraphNode, Workflow } from './graph.js';
import { fetchPolicyFromEnv, type FetchPolicy } from './media/fetchMedia.js';
import { resolveMedia } from './media/resolveMedia.js';
import { keepAliveFromEnv, type KeepAliveMs } from './models/keepAlive.js';
import type { KeepAliveRun } from './models/keepAliveRun.js';
import type { ModelRef } from './models/modelRefs.js';
import { ensureModelsCached, modelsOfGraph, modelsOfNode } from './models/ensureModels.js';
import type { ModelKeepAlive } from './models/modelKeepAlive.js';
import { graphNeedsWorker, type NodeCatalog } from './nodeCatalog.js';
import type { NodeExecutor } from './nodeExecutor.js';
import { prepareGraph, prepareRun, type PreparedRun } from './prepareRun.js';
import { sinkName } from './sinkName.js';
import { resolvePythonNodeExecutor, type PythonNodeExecutorOptions } from './pythonNodeExecutor.js';
import { singleWorker, type WorkerHandle, type WorkerRouter } from './workerRouter.js';
import type { NodeRunRecord } from './runGraph.js';
import { runGraph, type GraphRunResult } from './runGraph.js';
import type { RunEvent } from './runEvents.js';
import { pickSecrets, secretPolicyFromEnv, type SecretPolicy } from './workerSecrets.js';

export interface RunOptions {
  jobId?: string;
  signal?: AbortSignal;
  onEvent?(event: RunEvent): void;
  /** Which settings Python nodes may receive; default from NODETOOL_WORKER_SECRETS. */
  secretPolicy?: SecretPolicy;
  /** Holds the run's models loaded after it (one per bridge). Without it they are released at run end. */
  keepAlive?: ModelKeepAlive;
  /** This run's keep-alive, with `keepAlive`; default NODETOOL_MODEL_KEEP_ALIVE (5 minutes). */
  keepAliveMs?: KeepAliveMs;
  /** false: a model the worker's cache lacks fails the run (ModelsMissingError) instead of being downloaded first. */
  downloadMissing?: boolean;
  /** Which worker runs each Python node (a pool); without it, everything runs on the bridge given. */
  router?: WorkerRouter;
  /** Run a node again on another worker when its worker was lost while it ran (it may have had effects). */
  retryOnWorkerLoss?: boolean;
  /**
   * Answer as soon as the outcome is known and send the run's job.end (and keep-alive bookkeeping)
   * without waiting for the worker's reply: for a long-lived bridge (a server). A process that exits
   * after the run (a CLI) must leave it off, or the release may never reach the worker.
   */
  releaseInBackground?: boolean;
  /** Where binary results go and how asset inputs are read (the server's asset store, the CLI's output directory). */
  assets?: RunAssets;
  /** The last items of each streamed output the record keeps; default NODETOOL_MAX_RECORDED_ITEMS. */
  maxRecordedItems?: number;
  /** What items waiting at one input may take in memory before they go to disk; default NODETOOL_STREAM_QUEUE_BYTES. */
  streamQueueBytes?: number;
  /** How a workflow's media URLs are fetched; default NODETOOL_FETCH_ALLOW_HOSTS, NODETOOL_FETCH_TIMEOUT_MS, NODETOOL_MAX_ASSET_BYTES. */
  fetchPolicy?: FetchPolicy;
}

export interface RunWorkflowOptions extends RunOptions {
  /** An already connected bridge (a server's); otherwise one is connected only if a node needs Python, and closed after. */
  bridge?: PythonBridge | null;
  bridgeOptions?: PythonBridgeOptions;
  /** Values for nodes whose `name` matches a key: they replace that node's `value`. */
  params?: Record<string, unknown>;
  /** Warnings of a bridge this call connects (a token over plain ws://, say). */
  onWarning?(message: string): void;
  /** For a bridge this call connects: the keep-alive to use with it (a CLI's detached one). */
  keepAliveFor?(bridge: PythonBridge): ModelKeepAlive;
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
 * Loads nothing and prints nothing: validates (the structure before any worker
 * starts, node types once the worker's catalog is known), connects a worker
 * when the graph needs one, runs, and closes what it opened. Invalid graphs
 * throw GraphValidationError before any node runs; an unreachable worker
 * throws the bridge's error.
 */
export async function runWorkflow(workflow: Workflow, options: RunWorkflowOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const graph = prepareGraph(workflow, options.params);
  const ownsBridge = options.bridge === undefined;
  const bridge = ownsBridge ? await connectPythonBridgeForGraph(graph, options.bridgeOptions, options.onWarning) : (options.bridge ?? null);
  try {
    const keepAlive = options.keepAlive ?? (bridge && options.keepAliveFor ? options.keepAliveFor(bridge) : undefined);
    return await runPrepared(prepareRun(workflow, graph, bridge?.getNodeMetadata() ?? []), bridge, { ...options, keepAlive }, started);
  } finally {
    if (ownsBridge) await bridge?.close();
  }
}

/**
 * Runs a validated graph (see prepareRun) on a connected bridge (or none for pure-TS graphs):
 * downloads the models it names that the worker lacks, ends its worker job with job.end (also on
 * failure and cancel), hands its models to the keep-alive, and collects the outputs.
 */
export async function runPrepared(
  prepared: PreparedRun,
  bridge: PythonBridge | null,
  options: RunOptions = {},
  started = performance.now(),
): Promise<RunResult> {
  const { workflow, graph, catalog } = prepared;
  const jobId = options.jobId ?? newJobId();
  const emit = (event: RunEvent) => options.onEvent?.(event);
  const secretPolicy = options.secretPolicy ?? secretPolicyFromEnv();
  emit({ type: 'job_update', job_id: jobId, workflow_id: workflow.id, status: 'running' });
  let reason: JobEndReason = 'failed';
  const router = options.router ?? (bridge ? singleWorker(bridge, options.keepAlive) : null);
  const usesWorker = router !== null && graphNeedsWorker(graph);
  // One keep-alive scope per worker the run's nodes land on.
  const scopes = new Map<ModelKeepAlive, KeepAliveRun>();
  // No job.start: the worker opens the run's job at its first execute (every execute names it, and
  // reclaims memory before it runs), so a run whose nodes all run under keep-alive leases costs no
  // round trip for a job that would stay empty. job.end goes to each worker that ran a node under it.
  const runJobOn = new Set<PythonBridge>();
  const placement = (worker: WorkerHandle, nodeId: string, fields: Record<string, unknown>) => {
    let scope: KeepAliveRun | null = null;
    if (worker.keepAlive) {
      scope = scopes.get(worker.keepAlive) ?? worker.keepAlive.openRun(options.keepAliveMs ?? keepAliveFromEnv());
      scopes.set(worker.keepAlive, scope);
    }
    const leased = scope?.placement(nodeId, fields) ?? null;
    if (!leased) runJobOn.add(worker.bridge);
    return leased;
  };
  const python: PythonNodeExecutorOptions = {
    secretPolicy,
    placement,
    retryOnWorkerLoss: options.retryOnWorkerLoss,
    assets: options.assets,
    prepare: (worker, fields, metadata, signal) => fetchNodeModels(worker, modelsOfNode(fields, metadata), signal, options),
  };
  try {
    const media = await resolveRunMedia(prepared, options);
    const outcome =
      ('failed' in media ? media.failed : null) ??
      (usesWorker ? await fetchMissingModels(prepared, router.home, jobId, options) : null) ??
      (await runGraph('graph' in media ? media.graph : graph, {
        jobId,
        workflowId: workflow.id,
        signal: options.signal,
        onEvent: emit,
        executorFor: (node) => executorFor(node, catalog, router, python),
        metadataOf: (node) => catalog.lookup(node.type)?.metadata,
        maxRecordedItems: options.maxRecordedItems ?? readSetting(process.env, 'NODETOOL_MAX_RECORDED_ITEMS'),
        streamQueueBytes: options.streamQueueBytes ?? readSetting(process.env, 'NODETOOL_STREAM_QUEUE_BYTES'),
        spill: options.assets?.spill,
      }));
    reason = outcome.status === 'completed' ? 'completed' : outcome.status;
    const result: RunResult = {
      job_id: jobId,
      workflow_id: workflow.id,
      status: outcome.status,
      outputs: collectOutputs(prepared, outcome.nodes),
      nodes: outcome.nodes,
      duration_ms: Math.round(performance.now() - started),
    };
    if (outcome.error) result.error = outcome.error;
    emit({ type: 'job_update', job_id: jobId, workflow_id: workflow.id, status: outcome.status, error: outcome.error, duration_ms: result.duration_ms });
    return result;
  } finally {
    // Models of nodes that ran under the run's own job are released on every outcome, or the
    // worker's cache grows until its TTL sweep; the keep-alive decides about the rest.
    const release = (async () => {
      await Promise.all([...scopes.values()].map((scope) => scope.finish().catch(() => undefined)));
      await Promise.all([...runJobOn].map((worker) => worker.endJob({ jobId, reason }).catch(() => undefined)));
    })();
    if (!options.releaseInBackground) await release;
  }
}

/** The graph with its media fetched and kept (resolveMedia); a refusal or failure ends the run before any node starts. */
async function resolveRunMedia(prepared: PreparedRun, options: RunOptions): Promise<{ graph: Graph } | { failed: GraphRunResult }> {
  try {
    const policy = options.fetchPolicy ?? fetchPolicyFromEnv();
    return { graph: await resolveMedia(prepared.graph, prepared.catalog, { policy, assets: options.assets, signal: options.signal }) };
  } catch (error) {
    return { failed: notStarted(prepared, options, error as Error, 'The run was cancelled while its media were fetched') };
  }
}

/** A run that ended before its first node: every node pending. */
function notStarted(prepared: PreparedRun, options: RunOptions, error: Error, cancelled: string): GraphRunResult {
  const nodes: GraphRunResult['nodes'] = Object.create(null);
  for (const node of prepared.graph.nodes) nodes[node.id] = { type: node.type, status: 'pending' };
  const status = options.signal?.aborted ? 'cancelled' : 'failed';
  return { status, nodes, error: status === 'cancelled' ? cancelled : error.message };
}

/** Downloads the models the graph names that the worker lacks; a failure ends the run before any node starts. */
async function fetchMissingModels(prepared: PreparedRun, home: WorkerHandle, jobId: string, options: RunOptions): Promise<GraphRunResult | null> {
  const bridge = home.bridge;
  try {
    await ensureModelsCached(bridge, modelsOfGraph(prepared.graph, prepared.catalog), {
      download: options.downloadMissing !== false,
      // A gated repo needs the user's token; the same policy as for node secrets decides whether it may go.
      token: pickSecrets(['HF_TOKEN'], options.secretPolicy ?? secretPolicyFromEnv(), bridge.confidential).secrets['HF_TOKEN'],
      signal: options.signal,
      isResident: (model) => home.keepAlive?.holds(model) ?? false,
      onProgress: (progress) => options.onEvent?.({ type: 'model_download', job_id: jobId, ...progress }),
    });
    return null;
  } catch (error) {
    return notStarted(prepared, options, error as Error, 'The run was cancelled while its models downloaded');
  }
}

/** The executor of a node: its TypeScript implementation, or its Python one on the run's workers. */
function executorFor(node: GraphNode, catalog: NodeCatalog, router: WorkerRouter | null, python: PythonNodeExecutorOptions): NodeExecutor {
  const entry = catalog.lookup(node.type);
  if (entry?.kind === 'builtin') return entry.node;
  if (entry?.kind === 'python' && router) return resolvePythonNodeExecutor(router, entry.metadata, python);
  throw new Error(`no executor for node type "${node.type}"`);
}

/** A node moved to a worker other than the run's home: the models it names are fetched there first. */
async function fetchNodeModels(worker: WorkerHandle, refs: ModelRef[], signal: AbortSignal, options: RunOptions): Promise<void> {
  if (refs.length === 0) return;
  await ensureModelsCached(worker.bridge, refs, {
    download: options.downloadMissing !== false,
    signal,
    isResident: (model) => worker.keepAlive?.holds(model) ?? false,
    token: pickSecrets(['HF_TOKEN'], options.secretPolicy ?? secretPolicyFromEnv(), worker.bridge.confidential).secrets['HF_TOKEN'],
  });
}

function collectOutputs({ graph, catalog }: PreparedRun, records: Record<string, NodeRunRecord>): Record<string, unknown> {
  const outputs: Record<string, unknown> = Object.create(null);
  for (const node of graph.nodes) {
    const entry = catalog.lookup(node.type);
    const record = records[node.id];
    if (entry?.kind === 'builtin' && entry.node.isSink && record?.status === 'completed') outputs[sinkName(node)] = record.outputs?.['output'];
  }
  return outputs;
}
