export { parseProfile, profileToRecord, rentableProblem, rentRequestOf, ProfileError, type WorkerProfile, type CostGuard } from './workerProfile.js';
export { decide, refusesNewRuns, spendOf, type GuardView, type GuardDecision } from './costGuard.js';
export { overCeiling } from './priceCeiling.js';
export { orphansAmong } from './reconcile.js';
export { parseScale, type ScalePolicy } from './scalePolicy.js';
export { planScaling, type ScaleAction, type ScalePlan, type ScaledProfileView, type ScaledWorkerView, type GroupView } from './scaling/scalePlan.js';
export { chooseOffer, type OfferAnswer, type OfferChoice } from './scaling/offerChoice.js';
export { dailyCapReached, spendBetween, utcDayStart, type BillingPeriod } from './scaling/rentSpend.js';
export { bringUpBraked, BRAKE_WINDOW_MS } from './scaling/bringUpBrake.js';
