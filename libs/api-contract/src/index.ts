export type {
  JobStatus,
  NodeStatus,
  JobUpdate,
  NodeUpdate,
  NodeProgress,
  OutputUpdate,
  NodePreview,
  LogUpdate,
  SecretWithheld,
  ModelDownloadUpdate,
  RunEvent,
  ServerJobStatus,
  ServerJobUpdate,
  ServerRunEvent,
  UnnumberedRunEvent,
} from './runEvents.js';
export {
  GraphDocument,
  NodeRunRecord,
  JobResult,
  JobRecord,
  JobSummary,
  JobStarted,
  RunRequest,
  RunWaiting,
  FINAL_JOB_STATUSES,
  LIVE_JOB_STATUSES,
  FinalJobStatus,
  isFinalJobStatus,
} from './jobs.js';
export { ModelDownloadProgress, ResidentModel, CachedModelSummary, ModelsReport } from './models.js';
export { WorkerState, WorkerHealth, PoolHealth, HealthReport } from './workerHealth.js';
export {
  WorkflowSummary,
  StoredWorkflow,
  ImportedWorkflow,
  WorkflowInput,
  WorkflowOutput,
  WorkflowInterface,
  type EditorNode,
  type EditorEdge,
  type WorkflowDocument,
} from './workflows.js';
export { ClientCommand, CLIENT_COMMANDS, type ServerMessage } from './wsMessages.js';
export type { NodeMetadata, LoadError } from '@nt/protocol';
export { RentedWorkerInfo, GuardEventInfo, WorkerProfileRecord } from './rentedWorkers.js';
export { CapacityReport, ProfileCapacity } from './capacity.js';
export { apiContract, routesOf, websocketEndpoint, type ApiContract } from './http/contract.js';
export {
  route,
  type Access,
  type ErrorStatus,
  type HandlerReply,
  type HttpMethod,
  type RouteGroup,
  type RouteInput,
  type RouteSpec,
  type SuccessReply,
} from './http/route.js';
export { ApiError, ErrorReply } from './http/errorReply.js';
export { createClient, type ClientOf, type Transport } from './http/client.js';
export { fillPath, pathPattern } from './http/paths.js';
export { endpointTable } from './http/endpointTable.js';
export { AssetRef, isAssetRef, assetUrl } from './assets.js';
export { newJobId, type JobIdOrigin } from './jobIds.js';
