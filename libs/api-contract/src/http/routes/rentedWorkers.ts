import { z } from 'zod';
import { GuardEventInfo, RentedWorkerInfo } from '../../rentedWorkers.js';
import { route } from '../route.js';

const byId = z.object({ id: z.string().min(1) });
const lifecycleErrors = {
  404: 'no such rented worker',
  409: 'not in a state that allows it',
  424: 'the provider key is missing or refused (the setting is named)',
  502: 'the provider refused the call',
  503: 'the provider cannot be reached',
} as const;

export const rentedWorkers = {
  list: route({
    method: 'GET',
    path: '/api/rented-workers',
    access: 'token',
    summary: 'rented workers: state, GPU, price, uptime, cost so far, attached',
    replies: { 200: z.object({ workers: z.array(RentedWorkerInfo) }) },
    errors: {},
  }),
  events: route({
    method: 'GET',
    path: '/api/rented-workers/events',
    access: 'token',
    summary: 'what the cost guard did, and why, newest first (`?limit=`, 1–1000, default 200)',
    query: z.object({ limit: z.coerce.number({ error: '"limit" must be a whole number from 1 to 1000' }).int().min(1).max(1000).default(200) }),
    replies: { 200: z.object({ events: z.array(GuardEventInfo) }) },
    errors: { 400: 'a limit out of range' },
  }),
  get: route({
    method: 'GET',
    path: '/api/rented-workers/:id',
    access: 'token',
    summary: 'one rented worker',
    params: byId,
    replies: { 200: RentedWorkerInfo },
    errors: { 404: 'no such rented worker' },
  }),
  create: route({
    method: 'POST',
    path: '/api/rented-workers',
    access: 'token',
    summary: '`{profile, attach?}` → 202; progress as WebSocket `rented_worker`',
    body: z.object({
      profile: z.string({ error: '"profile" must name a worker profile' }).min(1, { error: '"profile" must name a worker profile' }),
      attach: z.boolean({ error: '"attach" must be true or false' }).optional(),
    }),
    replies: { 202: RentedWorkerInfo },
    errors: { ...lifecycleErrors, 400: 'a profile that cannot be rented (named why)', 404: 'no such profile', 409: 'a cap on live instances is reached' },
    bodyLimit: 16 * 1024,
  }),
  activity: route({
    method: 'POST',
    path: '/api/rented-workers/activity',
    access: 'token',
    summary: '`{worker}`: a CLI run used it (its idle clock restarts)',
    body: z.object({ worker: z.string({ error: '"worker" must be a rented worker\'s URL (<provider>://<instance>) or id' }) }),
    replies: { 204: null },
    errors: { 404: 'no such rented worker' },
    bodyLimit: 16 * 1024,
  }),
  stop: route({
    method: 'POST',
    path: '/api/rented-workers/:id/stop',
    access: 'token',
    summary: 'stop it (billing stops; its disk stays)',
    params: byId,
    replies: { 200: RentedWorkerInfo },
    errors: lifecycleErrors,
  }),
  start: route({
    method: 'POST',
    path: '/api/rented-workers/:id/start',
    access: 'token',
    summary: 'start it again',
    params: byId,
    replies: { 200: RentedWorkerInfo },
    errors: lifecycleErrors,
  }),
  destroy: route({
    method: 'DELETE',
    path: '/api/rented-workers/:id',
    access: 'token',
    summary: '`{confirm: "<id>"}`: destroy the instance and its disk',
    params: byId,
    body: z.object({ confirm: z.string().optional() }).default({}),
    replies: { 200: RentedWorkerInfo },
    errors: { ...lifecycleErrors, 400: 'no confirm, or not this id' },
    bodyLimit: 16 * 1024,
  }),
};
