import { describe, expect, it } from 'vitest';
import { parseProfile } from '../workerProfile.js';
import type { ScalePolicy } from '../scalePolicy.js';
import { planScaling, type GroupView, type ScaledProfileView, type ScaledWorkerView } from './scalePlan.js';

const NOW = 1_000_000_000;
const profileOf = (name: string, scale: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  parseProfile({
    name,
    provider: 'runpod',
    gpu_type: 'NVIDIA L4',
    image: 'ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4',
    max_price_per_hour: 1,
    max_instances: 4,
    group: 'gpu',
    scale,
    ...extra,
  }) as ScaledProfileView['profile'] & { scale: ScalePolicy };
const worker = (id: string, state: ScaledWorkerView['state'], idleFor: number | null = null, runsInFlight = 0): ScaledWorkerView => ({
  id,
  state,
  runsInFlight,
  idleSince: idleFor === null ? null : NOW - idleFor * 1000,
});
const group = (profiles: ScaledProfileView[], waitedSeconds: number[]): GroupView => ({
  group: 'gpu',
  profiles,
  waitingSince: waitedSeconds.map((seconds) => NOW - seconds * 1000),
});
const plan = (groups: GroupView[], extra: Partial<Parameters<typeof planScaling>[0]> = {}) =>
  planScaling({ groups, now: NOW, rentingStopped: null, serverRoom: 10, ...extra });

describe('the scaler’s plan', () => {
  it('rents one worker for a waiting run, across the group’s profiles, once the run waited start_after', () => {
    const a = { profile: profileOf('a', { max: 2, start_after: 10 }), workers: [], braked: null };
    const b = { profile: profileOf('b', { max: 2, start_after: 10 }), workers: [], braked: null };
    expect(plan([group([a, b], [5])]).actions).toEqual([]);
    expect(plan([group([a, b], [12])]).actions).toEqual([expect.objectContaining({ kind: 'rent', group: 'gpu', profiles: ['a', 'b'] })]);
  });

  it('counts a booting worker as capacity coming: ten runs rent one per runs_per_worker, never more than max', () => {
    const rents = (view: ScaledProfileView, waiting: number) =>
      plan([group([view], Array(waiting).fill(1))]).actions.filter((action) => action.kind === 'rent');
    expect(rents({ profile: profileOf('a', { max: 2 }), workers: [], braked: null }, 10)).toHaveLength(2);
    expect(rents({ profile: profileOf('a', { max: 4, runs_per_worker: 10 }), workers: [], braked: null }, 10)).toHaveLength(1);
    expect(rents({ profile: profileOf('a', { max: 4, runs_per_worker: 4 }), workers: [], braked: null }, 10)).toHaveLength(3);
    const booting = { profile: profileOf('a', { max: 2, runs_per_worker: 10 }), workers: [worker('w1', 'booting')], braked: null };
    expect(rents(booting, 10)).toHaveLength(0);
    expect(rents({ ...booting, profile: profileOf('a', { max: 2, runs_per_worker: 4 }) }, 10)).toHaveLength(1);
  });

  it('starts a stopped worker before renting (its disk holds the models)', () => {
    const view = { profile: profileOf('a', { max: 2 }), workers: [worker('w1', 'stopped')], braked: null };
    expect(plan([group([view], [1])]).actions).toEqual([expect.objectContaining({ kind: 'start', worker: 'w1' })]);
  });

  it('keeps min running with no demand, and releases idle workers above it after release_after, longest idle first', () => {
    const none = { profile: profileOf('a', { min: 1, max: 3 }), workers: [], braked: null };
    expect(plan([group([none], [])]).actions).toEqual([expect.objectContaining({ kind: 'rent', profiles: ['a'] })]);
    const idle = {
      profile: profileOf('a', { min: 1, max: 3, release_after: 60, release: 'stop' }),
      workers: [worker('w1', 'running', 100), worker('w2', 'running', 300), worker('w3', 'running', 30)],
      braked: null,
    };
    expect(plan([group([idle], [])]).actions).toEqual([
      expect.objectContaining({ kind: 'release', worker: 'w2', how: 'stop' }),
      expect.objectContaining({ kind: 'release', worker: 'w1', how: 'stop' }),
    ]);
    const busy = { ...idle, workers: [worker('w1', 'running', null, 1), worker('w2', 'running', 300)] };
    expect(plan([group([busy], [])]).actions).toEqual([expect.objectContaining({ kind: 'release', worker: 'w2', how: 'stop' })]);
  });

  it('rents nothing at the daily cap or with every profile braked, and says the waiting runs will get nothing', () => {
    const view = { profile: profileOf('a', { max: 2 }), workers: [], braked: null };
    expect(plan([group([view], [1])], { rentingStopped: 'the cap' })).toEqual({ actions: [], hopeless: [{ group: 'gpu', reason: 'the cap' }] });
    const braked = { ...view, braked: '3 bring-ups failed' };
    expect(plan([group([braked], [1])])).toEqual({ actions: [], hopeless: [{ group: 'gpu', reason: 'a: 3 bring-ups failed' }] });
    // At max the runs wait for the workers they have: not hopeless.
    const full = { profile: profileOf('a', { max: 1 }), workers: [worker('w1', 'running', null, 1)], braked: null };
    expect(plan([group([full], [1])])).toEqual({ actions: [], hopeless: [] });
    expect(plan([group([view], [1])], { serverRoom: 0 })).toEqual({ actions: [], hopeless: [] });
  });

  it('counts stopped instances against max_instances when renting', () => {
    const view = {
      profile: profileOf('a', { max: 2 }, { max_instances: 2 }),
      workers: [worker('w1', 'stopped'), worker('w2', 'running', null, 1)],
      braked: null,
    };
    // w1 is started (room under max: 1 active of 2); nothing is rented.
    expect(plan([group([view], [1, 1])]).actions).toEqual([expect.objectContaining({ kind: 'start', worker: 'w1' })]);
  });
});
