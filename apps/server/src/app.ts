import type { ServerConfig } from './config.js';
import type { JobManager } from './jobs/jobManager.js';
import type { JobStore } from './store/jobStore.js';
import type { WorkflowStore } from './store/workflowStore.js';
import type { WorkerSupervisor } from './worker/workerSupervisor.js';

/** Everything a route or the WebSocket hub may use. */
export interface App {
  config: ServerConfig;
  workflows: WorkflowStore;
  jobs: JobStore;
  runs: JobManager;
  worker: WorkerSupervisor;
  startedAt: number;
}
