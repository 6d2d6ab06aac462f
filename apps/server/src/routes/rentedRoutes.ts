import type { apiContract } from '@nt/api-contract';
import { parseProfile, profileToRecord } from '@nt/provisioning';
import { ConflictError, InvalidRequestError, NotFoundError } from '../errors.js';
import type { Handlers } from '../http/contractRoutes.js';
import type { RentedWorkers } from '../rented/rentedWorkers.js';
import type { CapacityScaler } from '../scaling/capacityScaler.js';

/** What the profile and rented-worker routes use. */
export interface RentedDeps {
  rented: RentedWorkers;
  /** Told when a profile changed, so runs are matched to the profiles as they are now. */
  scaler: Pick<CapacityScaler, 'refresh'>;
}

/** Renting workers (docs/worker-deployment.md, "Rent a worker in one command"): profiles, instances, the guard's events. */
export const workerProfileHandlers: Handlers<typeof apiContract.workerProfiles, RentedDeps> = {
  list: async ({ app }) => ({ status: 200, body: { profiles: (await app.rented.store.profiles()).map(profileToRecord) } }),

  get: async ({ app, params }) => {
    const profile = await app.rented.store.profile(params.name);
    if (!profile) throw new NotFoundError(`no worker profile named "${params.name}"`);
    return { status: 200, body: profileToRecord(profile) };
  },

  put: async ({ app, params, body }) => {
    if (body['name'] !== undefined && body['name'] !== params.name)
      throw new InvalidRequestError(`the profile's "name" (${JSON.stringify(body['name'])}) is not the one in the path (${params.name})`);
    const profile = parseProfile({ ...body, name: params.name });
    const outcome = await app.rented.store.saveProfile(profile);
    await app.scaler.refresh();
    return { status: outcome === 'created' ? 201 : 200, body: profileToRecord(profile) };
  },

  delete: async ({ app, params }) => {
    const inUse = (await app.rented.store.liveWorkers()).filter((worker) => worker.profile === params.name);
    if (inUse.length) throw new ConflictError(`the profile "${params.name}" is used by ${inUse.map((worker) => worker.id).join(', ')}: destroy them first`);
    if (!(await app.rented.store.deleteProfile(params.name))) throw new NotFoundError(`no worker profile named "${params.name}"`);
    await app.scaler.refresh();
    return { status: 204, body: undefined };
  },
};

export const rentedWorkerHandlers: Handlers<typeof apiContract.rentedWorkers, RentedDeps> = {
  list: async ({ app }) => ({ status: 200, body: { workers: await app.rented.list() } }),

  events: async ({ app, query }) => ({ status: 200, body: { events: await app.rented.store.events(query.limit) } }),

  get: async ({ app, params }) => ({ status: 200, body: await app.rented.get(params.id) }),

  create: async ({ app, body }) => ({ status: 202, body: await app.rented.create(body.profile, body.attach === true) }),

  activity: async ({ app, body }) => {
    if (!(await app.rented.touch(body.worker))) throw new NotFoundError(`no rented worker ${body.worker}`);
    return { status: 204, body: undefined };
  },

  stop: async ({ app, params }) => ({ status: 200, body: await app.rented.stop(params.id) }),

  start: async ({ app, params }) => ({ status: 200, body: await app.rented.start(params.id) }),

  destroy: async ({ app, params, body }) => {
    if (body.confirm !== params.id) throw new InvalidRequestError(`destroying deletes the instance and its disk: send {"confirm": "${params.id}"}`);
    return { status: 200, body: await app.rented.destroy(params.id) };
  },
};
