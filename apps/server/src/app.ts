import type { ServerConfig } from './config.js';
import type { JobManager } from './jobs/jobManager.js';
import type { ModelService } from './models/modelService.js';
import type { JobStore } from './store/jobStore.js';
import type { WorkflowStore } from './store/workflowStore.js';
import type { WorkerSupervisor } from './worker/workerSupervisor.js';
import type { HostPolicy } from './security/hostPolicy.js';
import type { ServerToken } from './security/serverToken.js';

/** Everything a route or the WebSocket hub may use. */
export interface App {
  config: ServerConfig;
  workflows: WorkflowStore;
  jobs: JobStore;
  runs: JobManager;
  worker: WorkerSupervisor;
  models: ModelService;
  startedAt: number;
  hostPolicy: HostPolicy;
  /** Null when no NODETOOL_SERVER_TOKEN is set (the server then listens on loopback only). */
  serverToken: ServerToken | null;
}
