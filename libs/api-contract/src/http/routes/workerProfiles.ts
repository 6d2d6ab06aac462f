import { z } from 'zod';
import { WorkerProfileRecord } from '../../rentedWorkers.js';
import { route } from '../route.js';

const byName = z.object({ name: z.string().min(1) });

export const workerProfiles = {
  list: route({
    method: 'GET',
    path: '/api/worker-profiles',
    access: 'token',
    summary: 'the profiles GPU workers are rented from (no secret is ever in one)',
    replies: { 200: z.object({ profiles: z.array(WorkerProfileRecord) }) },
    errors: {},
  }),
  get: route({
    method: 'GET',
    path: '/api/worker-profiles/:name',
    access: 'token',
    summary: 'one profile',
    params: byName,
    replies: { 200: WorkerProfileRecord },
    errors: { 404: 'no such profile' },
  }),
  put: route({
    method: 'PUT',
    path: '/api/worker-profiles/:name',
    access: 'token',
    summary: 'create (201) or replace (200) a profile; every field is checked and a wrong one named',
    params: byName,
    // The provisioning library checks the fields: it knows each provider's rules and names the field at fault.
    body: z.record(z.string(), z.unknown(), { error: 'a profile is a JSON object' }),
    replies: { 200: WorkerProfileRecord, 201: WorkerProfileRecord },
    errors: { 400: 'a field at fault, named' },
    bodyLimit: 64 * 1024,
  }),
  delete: route({
    method: 'DELETE',
    path: '/api/worker-profiles/:name',
    access: 'token',
    summary: 'delete a profile no live rented worker uses',
    params: byName,
    replies: { 204: null },
    errors: { 404: 'no such profile', 409: 'rented workers still use it' },
  }),
};
