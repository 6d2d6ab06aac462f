export { parseProfile, profileToRecord, rentableProblem, rentRequestOf, ProfileError, type WorkerProfile, type CostGuard } from './workerProfile.js';
export { decide, refusesNewRuns, spendOf, type GuardView, type GuardDecision } from './costGuard.js';
export { overCeiling } from './priceCeiling.js';
export { orphansAmong } from './reconcile.js';
