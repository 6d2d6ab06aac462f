export { startServer, type RunningServer } from './server.js';
export { configFromEnv, type ServerConfig } from './config.js';
export type { WorkerHealth, WorkerState } from './workers/workerSupervisor.js';
export type { ServerRunEvent } from './jobs/jobManager.js';
