import { describe, expect, it } from 'vitest';
import { apiContract, routesOf } from '@nt/api-contract';
import { ConfigError, ConnectionClosedError } from '@nt/bridge';
import { ProviderKeyRejectedError } from '@nt/providers';
import { GraphValidationError } from '@nt/runtime';
import { ConflictError, JobExistsError, JobNotFoundError, NotFoundError, ProviderFailedError, WorkflowNotFoundError } from '../errors.js';
import { declaresStatus } from './declaredErrors.js';
import { toHttpError } from './httpError.js';

const routes = Object.fromEntries(routesOf(apiContract).map(({ name, route }) => [name, route]));

describe('the one map from an error to its status', () => {
  it('answers a subclass as its kind, and a library’s error by the table', () => {
    expect(toHttpError(new WorkflowNotFoundError('w1'))).toMatchObject({ status: 404, message: 'no workflow with id "w1"' });
    expect(toHttpError(new JobNotFoundError('j1')).status).toBe(404);
    expect(toHttpError(new JobExistsError('j1')).status).toBe(409);
    expect(toHttpError(new ConflictError('only a running worker can be stopped')).status).toBe(409);
    expect(toHttpError(new ProviderFailedError('the provider said no')).status).toBe(502);
    expect(toHttpError(new ConnectionClosedError('gone')).status).toBe(503);
    // A refused provider key is a ConfigError: 424, naming the setting.
    expect(toHttpError(new ProviderKeyRejectedError('RUNPOD_API_KEY', 'refused'))).toMatchObject({ status: 424, details: { setting: 'RUNPOD_API_KEY' } });
    expect(toHttpError(new ConfigError('X', 'bad')).status).toBe(424);
  });

  it('sends at most 200 of a graph’s issues, and their count', () => {
    const issues = Array.from({ length: 250 }, (_, index) => ({ node_id: `n${index}`, message: 'unknown type' }));
    const failure = toHttpError(new GraphValidationError(issues as never));
    expect(failure.status).toBe(400);
    expect(failure.details).toMatchObject({ issue_count: 250 });
    expect((failure.details as { issues: unknown[] }).issues).toHaveLength(200);
  });

  it('says nothing of an error it does not know', () => {
    expect(toHttpError(new TypeError('secret internals at /srv/x.ts:12'))).toMatchObject({ status: 500, message: 'internal server error' });
  });
});

describe('what a route may answer', () => {
  it('is what its contract declares, and the statuses every route of its kind may answer', () => {
    const stop = routes['rentedWorkers.stop']!;
    expect(declaresStatus(stop, 409)).toBe(true);
    expect(declaresStatus(stop, 401)).toBe(true);
    expect(declaresStatus(stop, 503)).toBe(true);
    expect(declaresStatus(stop, 416)).toBe(false);
    const health = routes['health.get']!;
    // A public route without a body never answers 401, 400 or 415.
    expect(declaresStatus(health, 401)).toBe(false);
    expect(declaresStatus(health, 400)).toBe(false);
    expect(declaresStatus(health, 415)).toBe(false);
    expect(declaresStatus(health, 421)).toBe(true);
  });

  it('covers the statuses the rented-worker routes raise (they used to carry their own)', () => {
    for (const name of ['rentedWorkers.get', 'rentedWorkers.stop', 'rentedWorkers.start', 'rentedWorkers.destroy'])
      expect(declaresStatus(routes[name]!, toHttpError(new NotFoundError('no rented worker')).status), name).toBe(true);
    for (const name of ['rentedWorkers.create', 'rentedWorkers.stop', 'rentedWorkers.start'])
      expect(declaresStatus(routes[name]!, toHttpError(new ConflictError('cap reached')).status), name).toBe(true);
  });
});
