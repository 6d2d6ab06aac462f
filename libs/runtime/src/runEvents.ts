// The run event shapes are part of the server's contract with its clients: they live in @nt/api-contract.
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
  ModelDownloadProgress,
  ResidentModel,
  RunEvent,
} from '@nt/api-contract';
