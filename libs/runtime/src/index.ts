export { SYNC_MODES, type Graph, type GraphNode, type GraphEdge, type Workflow, type SyncMode } from './graph.js';
export { loadWorkflow, parseWorkflowJson } from './loadWorkflow.js';
export { pruneEditorOnly, EDITOR_ONLY_TYPES } from './editorOnly.js';
export { WorkflowFormatError, GraphValidationError, GraphTooLargeError, NodeFailedError, WorkerLostError, type ValidationIssue } from './errors.js';
export { checkGraphLimits, DEFAULT_GRAPH_LIMITS, type GraphLimits } from './graphLimits.js';
export { validateStructure, validateAgainstCatalog } from './validateGraph.js';
export { closeMatches } from './closeMatches.js';
export { NodeCatalog, isBuiltinType, graphNeedsWorker, type CatalogEntry } from './nodeCatalog.js';
export { BUILTIN_NODES, cosineSimilarity, toVector } from './builtins/index.js';
export type { NodeExecutor, NodeContext, BuiltinNode } from './nodeExecutor.js';
export { resolvePythonNodeExecutor, type PythonNodeExecutorOptions } from './pythonNodeExecutor.js';
export { singleWorker, type WorkerHandle, type WorkerRouter } from './workerRouter.js';
export { connectPythonBridgeForGraph } from './connectPythonBridgeForGraph.js';
export { runGraph, type GraphRunResult, type NodeRunRecord, type RunGraphOptions } from './runGraph.js';
export { runWorkflow, runPrepared, type RunWorkflowOptions, type RunOptions, type RunResult } from './runWorkflow.js';
export { prepareRun, prepareGraph, type PreparedRun } from './prepareRun.js';
export type * from './runEvents.js';
export { secretPolicyFromEnv, pickSecrets, DEFAULT_WORKER_SECRETS, WORKER_SECRETS_ENV, type SecretPolicy, type WithheldSetting } from './workerSecrets.js';
export { toJsonValue } from './toJsonValue.js';
export {
  parseKeepAlive,
  keepAliveFromEnv,
  formatKeepAlive,
  InvalidKeepAliveError,
  KEEP_ALIVE_ENV,
  DEFAULT_KEEP_ALIVE_MS,
  type KeepAliveMs,
} from './models/keepAlive.js';
export { ModelKeepAlive, type ModelKeepAliveOptions } from './models/modelKeepAlive.js';
export type { KeepAliveRun, ExecutePlacement } from './models/keepAliveRun.js';
export { leaseJobId, leaseKey } from './models/leaseIds.js';
export { modelRefsIn, modelKey, type ModelRef } from './models/modelRefs.js';
export { ensureModelsCached, modelsOfGraph, modelsOfNode, forgetCachedModel, ModelsMissingError, type EnsureModelsOptions } from './models/ensureModels.js';
export { downloadModelOnce, activeDownloads, cancelDownload, observeDownloads } from './models/sharedDownloads.js';
export type { RunAssets } from './runAssets.js';
export { unlimitedSpillSpace, type SpillSpace } from './flow/spillSpace.js';
export { isTextChunk, type TextChunk } from './flow/recordedItems.js';
export { sinkName } from './sinkName.js';
export { DEFAULT_MAX_RECORDED_ITEMS, DEFAULT_STREAM_QUEUE_BYTES } from './runGraph.js';
export { workflowInterface } from './params/workflowInterface.js';
export { acceptValue, describeValue } from './params/valueTypes.js';
export { MediaFetchError, openMedia, fetchPolicyFromEnv, type FetchPolicy, type FetchedMedia } from './media/fetchMedia.js';
export { mediaSourceOf, mediaTypeOf, MEDIA_TYPES, type MediaType, type MediaSource } from './media/mediaValue.js';
