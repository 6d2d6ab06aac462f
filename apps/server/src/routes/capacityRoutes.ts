import type { apiContract } from '@nt/api-contract';
import type { Handlers } from '../http/contractRoutes.js';
import type { CapacityScaler } from '../scaling/capacityScaler.js';

/** What the capacity route uses. */
export interface CapacityDeps {
  scaler: Pick<CapacityScaler, 'report'>;
}

/** Elastic capacity at a glance (docs/worker-deployment.md, "Workers on demand"). */
export const capacityHandlers: Handlers<typeof apiContract.capacity, CapacityDeps> = {
  get: async ({ app }) => ({ status: 200, body: await app.scaler.report() }),
};
