export type {
  JobStatus,
  NodeStatus,
  JobUpdate,
  NodeUpdate,
  NodeProgress,
  OutputUpdate,
  LogUpdate,
  SecretWithheld,
  ModelDownloadUpdate,
  RunEvent,
  ServerJobStatus,
  ServerJobUpdate,
  ServerRunEvent,
} from './runEvents.js';
export type { GraphDocument, NodeRunRecord, JobResult, JobRecord, JobSummary } from './jobs.js';
export type { ModelDownloadProgress, ResidentModel, CachedModelSummary, ModelsReport } from './models.js';
export type { WorkerState, WorkerHealth, PoolHealth, HealthReport } from './workerHealth.js';
export type { WorkflowSummary, EditorNode, EditorEdge, StoredWorkflow } from './workflows.js';
export type { ClientCommand, ServerMessage } from './wsMessages.js';
export type { NodeMetadata, LoadError } from '@nt/protocol';
export type { RentedWorkerInfo, GuardEventInfo } from './rentedWorkers.js';
