export { parseProfile, profileToRecord, ProfileError, type WorkerProfile, type CostGuard } from './workerProfile.js';
export { INSTANCE_PREFIX, PriceCeilingError, ProviderCallError, type ProviderClient, type ProviderInstance, type CreateRequest } from './providerClient.js';
export { RunpodClient } from './runpodClient.js';
export { VastClient } from './vastClient.js';
export { decide, refusesNewRuns, spendOf, type GuardView, type GuardDecision } from './costGuard.js';
export { orphansAmong } from './reconcile.js';
export { providerClientFor } from './providerClientFor.js';
