export { startFixtureProviderApi, type FixtureProviderApi, type FixtureProviderOptions, type FixtureRequest } from './fixtureProviderApi.js';
export type { FixtureBoot, FixtureLifecycle, FixtureCall, BootedWorker } from './bootLifecycle.js';
export type { FixturePod, FixtureGpuType } from '../runpod/testing/runpodFixture.js';
export type { FixtureInstance, FixtureOffer } from '../vast/testing/vastFixture.js';
export { RUNPOD_SCHEMA_SDL } from '../runpod/testing/runpodSchema.js';
export { joinEnvParts } from './envParts.js';
export { realInstances, type RealInstances } from './realInstances.js';
export { waitUntil } from './waitUntil.js';
export { sampleRentRequest } from './sampleRentRequest.js';
