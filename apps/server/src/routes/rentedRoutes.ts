import { parseProfile, profileToRecord } from '@nt/provisioning';
import type { App } from '../app.js';
import { InvalidRequestError } from '../errors.js';
import { readJsonBody } from '../http/readJsonBody.js';
import type { Router } from '../http/router.js';
import { RentError } from '../rented/rentedWorkers.js';

/**
 * Renting workers (docs/worker-deployment.md, "Rent a worker in one command"):
 *   GET    /api/worker-profiles, /api/worker-profiles/:name     profiles (no secret is ever in one)
 *   PUT    /api/worker-profiles/:name                           {profile fields} → 201 created / 200 updated
 *   DELETE /api/worker-profiles/:name
 *   GET    /api/rented-workers[/:id]                            state, GPU, price, uptime, cost so far, attached
 *   POST   /api/rented-workers                                  {profile, attach?} → 202; progress as WS rented_worker
 *   POST   /api/rented-workers/:id/stop | /start
 *   DELETE /api/rented-workers/:id                              {confirm: "<id>"}: destroys the instance
 *   GET    /api/rented-workers/events                           what the cost guard did, and why
 *   POST   /api/rented-workers/activity                         {worker}: a CLI run used it (the idle clock restarts)
 */
export function addRentedRoutes(router: Router, app: App): void {
  router.add('GET', '/api/worker-profiles', () => ({ status: 200, body: { profiles: app.rented.store.profiles().map(profileToRecord) } }));

  router.add('GET', '/api/worker-profiles/:name', ({ params }) => {
    const profile = app.rented.store.profile(params['name'] as string);
    if (!profile) throw new RentError(404, `no worker profile named "${params['name']}"`);
    return { status: 200, body: profileToRecord(profile) };
  });

  router.add('PUT', '/api/worker-profiles/:name', async ({ params, request }) => {
    const body = (await readJsonBody(request, 64 * 1024)) as Record<string, unknown>;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequestError('a profile is a JSON object');
    if (body['name'] !== undefined && body['name'] !== params['name'])
      throw new InvalidRequestError(`the profile's "name" (${JSON.stringify(body['name'])}) is not the one in the path (${params['name']})`);
    const profile = parseProfile({ ...body, name: params['name'] });
    const outcome = app.rented.store.saveProfile(profile);
    return { status: outcome === 'created' ? 201 : 200, body: profileToRecord(profile) };
  });

  router.add('DELETE', '/api/worker-profiles/:name', ({ params }) => {
    const name = params['name'] as string;
    const inUse = app.rented.store.workers().filter((worker) => worker.profile === name && worker.state !== 'destroyed' && worker.state !== 'failed');
    if (inUse.length) throw new RentError(409, `the profile "${name}" is used by ${inUse.map((worker) => worker.id).join(', ')}: destroy them first`);
    if (!app.rented.store.deleteProfile(name)) throw new RentError(404, `no worker profile named "${name}"`);
    return { status: 204 };
  });

  router.add('GET', '/api/rented-workers', () => ({ status: 200, body: { workers: app.rented.list() } }));

  router.add('GET', '/api/rented-workers/events', ({ query }) => {
    const limit = Number(query.get('limit') ?? 200);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new InvalidRequestError('"limit" must be a whole number from 1 to 1000');
    return { status: 200, body: { events: app.rented.store.events(limit) } };
  });

  router.add('GET', '/api/rented-workers/:id', ({ params }) => ({ status: 200, body: app.rented.get(params['id'] as string) }));

  router.add('POST', '/api/rented-workers', async ({ request }) => {
    const body = (await readJsonBody(request, 16 * 1024)) as Record<string, unknown>;
    if (typeof body?.['profile'] !== 'string' || !body['profile']) throw new InvalidRequestError('"profile" must name a worker profile');
    if (body['attach'] !== undefined && typeof body['attach'] !== 'boolean') throw new InvalidRequestError('"attach" must be true or false');
    return { status: 202, body: await app.rented.create(body['profile'], body['attach'] === true) };
  });

  router.add('POST', '/api/rented-workers/activity', async ({ request }) => {
    const body = (await readJsonBody(request, 16 * 1024)) as Record<string, unknown>;
    if (typeof body?.['worker'] !== 'string') throw new InvalidRequestError('"worker" must be a rented worker\'s URL (<provider>://<instance>) or id');
    if (!app.rented.touch(body['worker'])) throw new RentError(404, `no rented worker ${body['worker']}`);
    return { status: 204 };
  });

  router.add('POST', '/api/rented-workers/:id/stop', async ({ params }) => ({ status: 200, body: await app.rented.stop(params['id'] as string) }));
  router.add('POST', '/api/rented-workers/:id/start', async ({ params }) => ({ status: 200, body: await app.rented.start(params['id'] as string) }));

  router.add('DELETE', '/api/rented-workers/:id', async ({ params, request }) => {
    const id = params['id'] as string;
    const body = (await readJsonBody(request, 16 * 1024)) as Record<string, unknown> | null;
    if (body?.['confirm'] !== id) throw new InvalidRequestError(`destroying deletes the instance and its disk: send {"confirm": "${id}"}`);
    return { status: 200, body: await app.rented.destroy(id) };
  });
}
