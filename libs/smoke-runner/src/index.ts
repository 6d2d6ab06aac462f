export { runSmoke, formatSmokeSummary, type SmokeReport } from './runSmoke.js';
export { checkSmokeResult, EMBEDDING_DIMENSION, MIN_SIMILARITY, type SmokeCheck } from './checkSmokeResult.js';
export { loadSmokeWorkflow, SMOKE_WORKFLOW_PATH, SMOKE_DSL_PATH, SMOKE_SENTENCES } from './smokeWorkflow.js';
export {
  docker,
  containerLogs,
  engineHost,
  startWorkerContainer,
  healthOf,
  waitFor,
  seedHfCache,
  imageAvailable,
  freeLoopbackPort,
  workerUid,
  type RunningContainer,
} from './containerWorker.js';
export { compose, composeCommand } from './compose.js';
export { freePortRange } from './freePortRange.js';
