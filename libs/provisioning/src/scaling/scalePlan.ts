import type { WorkerProfile } from '../workerProfile.js';
import type { ScalePolicy } from '../scalePolicy.js';

/** A rented worker of a scaled profile, as the scaler sees it. */
export interface ScaledWorkerView {
  id: string;
  /** booting: rented or started and not connected yet; running: connected; stopped: its disk kept. */
  state: 'booting' | 'running' | 'stopped';
  runsInFlight: number;
  /** Since when it has had no run in flight (ms since epoch), null while it has one. */
  idleSince: number | null;
  /** A stopped worker not to start again (the cost guard stopped it at its spend ceiling): it still counts against max_instances. */
  keepStopped?: boolean;
}

export interface ScaledProfileView {
  profile: WorkerProfile & { scale: ScalePolicy };
  /** Its workers that are not destroyed or failed. */
  workers: ScaledWorkerView[];
  /** Why it is not rented from now (the bring-up brake), or null. */
  braked: string | null;
}

/** One group: its scaled profiles, cheapest-first order not implied, and when each of its waiting runs began to wait. */
export interface GroupView {
  group: string;
  profiles: ScaledProfileView[];
  waitingSince: number[];
}

export interface PlanInput {
  groups: GroupView[];
  now: number;
  /** Why nothing may be rented or started (the daily cap), or null. */
  rentingStopped: string | null;
  /** Live rented instances the server may still add (NODETOOL_RENT_MAX_INSTANCES minus the live ones). */
  serverRoom: number;
}

export type ScaleAction =
  | { kind: 'start'; worker: string; profile: string; reason: string }
  | { kind: 'rent'; group: string; profiles: string[]; reason: string }
  | { kind: 'release'; worker: string; profile: string; how: 'stop' | 'destroy'; reason: string };

export interface ScalePlan {
  actions: ScaleAction[];
  /** Groups whose waiting runs no capacity will come for, and why: those runs fail now, saying so. */
  hopeless: Array<{ group: string; reason: string }>;
}

const isActive = (worker: ScaledWorkerView) => worker.state !== 'stopped';

/**
 * What the scaler does now, decided from a snapshot: start or rent for runs that have waited their
 * `start_after` (a stopped worker first: its disk holds the models), keep each profile's `min`, and
 * release workers above `min` that had no run in flight for `release_after`. A booting worker counts
 * as capacity already coming, so ten waiting runs rent one worker per `runs_per_worker` of them, up to `max`.
 */
export function planScaling(input: PlanInput): ScalePlan {
  const plan: ScalePlan = { actions: [], hopeless: [] };
  let serverRoom = input.serverRoom;
  for (const group of input.groups) {
    const startAfter = Math.min(...group.profiles.map((view) => view.profile.scale.startAfterSeconds)) * 1000;
    const due = group.waitingSince.filter((since) => input.now - since >= startAfter).length;
    const booting = group.profiles.reduce((sum, view) => sum + view.workers.filter((worker) => worker.state === 'booting').length, 0);
    // How many waiting runs one new worker takes: the smallest runs_per_worker of the group's profiles.
    const perWorker = Math.min(...group.profiles.map((view) => view.profile.scale.runsPerWorker));
    const needed = Math.ceil(due / perWorker);
    // Each profile's own floor first, then what the waiting runs need beyond what is already coming.
    const wants: Array<{ profiles: ScaledProfileView[]; reason: string }> = [];
    for (const view of group.profiles) {
      const short = view.profile.scale.min - view.workers.filter(isActive).length;
      for (let index = 0; index < short; index++) wants.push({ profiles: [view], reason: `the profile keeps ${view.profile.scale.min} running (scale.min)` });
    }
    for (let index = booting; index < needed; index++)
      wants.push({
        profiles: group.profiles,
        reason: `${due} run(s) of the group ${group.group} waited ${Math.round(startAfter / 1000)} s or more for a worker`,
      });
    for (const want of wants) {
      if (input.rentingStopped) {
        plan.hopeless.push({ group: group.group, reason: input.rentingStopped });
        break;
      }
      const stopped = want.profiles
        .filter((view) => roomOf(view, plan).running > 0)
        .flatMap((view) =>
          view.workers.filter((worker) => worker.state === 'stopped' && !worker.keepStopped && !planned(plan, worker.id)).map((worker) => ({ view, worker })),
        )[0];
      if (stopped) {
        plan.actions.push({ kind: 'start', worker: stopped.worker.id, profile: stopped.view.profile.name, reason: want.reason });
        continue;
      }
      const able = want.profiles.filter((view) => !view.braked && roomOf(view, plan).running > 0 && roomOf(view, plan).live > 0);
      if (!able.length || serverRoom <= 0) {
        // Every profile stopped for failing bring-ups: nothing will come, so the runs are told now.
        const braked = want.profiles.filter((view) => view.braked);
        if (braked.length === want.profiles.length)
          plan.hopeless.push({ group: group.group, reason: braked.map((view) => `${view.profile.name}: ${view.braked}`).join('; ') });
        break;
      }
      serverRoom--;
      plan.actions.push({ kind: 'rent', group: group.group, profiles: able.map((view) => view.profile.name), reason: want.reason });
    }
    for (const view of group.profiles) plan.actions.push(...releases(view, input.now));
  }
  return plan;
}

/**
 * Room a profile has left after what the plan already does: workers running or booting (scale.max) and
 * live instances (max_instances, stopped ones counted). A rent among several profiles is counted against
 * each of them, since which one wins is known only once the providers have quoted.
 */
function roomOf(view: ScaledProfileView, plan: ScalePlan): { running: number; live: number } {
  const name = view.profile.name;
  const starts = plan.actions.filter((action) => action.kind === 'start' && action.profile === name).length;
  const rents = plan.actions.filter((action) => action.kind === 'rent' && action.profiles.includes(name)).length;
  return {
    running: view.profile.scale.max - view.workers.filter(isActive).length - starts - rents,
    live: view.profile.maxInstances - view.workers.length - rents,
  };
}

const planned = (plan: ScalePlan, worker: string) => plan.actions.some((action) => action.kind === 'start' && action.worker === worker);

/** Idle workers above the floor, the longest idle first, once they have been idle for release_after. */
function releases(view: ScaledProfileView, now: number): ScaleAction[] {
  const { scale } = view.profile;
  const idle = view.workers
    .filter(
      (worker) =>
        worker.state === 'running' && worker.runsInFlight === 0 && worker.idleSince !== null && now - worker.idleSince >= scale.releaseAfterSeconds * 1000,
    )
    .sort((a, b) => (a.idleSince as number) - (b.idleSince as number));
  const removable = Math.max(0, view.workers.filter(isActive).length - scale.min);
  return idle.slice(0, removable).map((worker) => ({
    kind: 'release' as const,
    worker: worker.id,
    profile: view.profile.name,
    how: scale.release,
    reason: `no run for ${Math.round((now - (worker.idleSince as number)) / 1000)} s (scale.release_after is ${scale.releaseAfterSeconds} s) and the profile keeps ${scale.min}`,
  }));
}
