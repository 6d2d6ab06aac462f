import { ProfileError } from './profileError.js';
import { number } from './profileFields.js';

/**
 * How a profile follows demand: workers are started for runs that wait, and released when idle.
 * Durations in seconds, as written in a profile.
 */
export interface ScalePolicy {
  /** Workers kept running whatever the demand (0: scale to zero). */
  min: number;
  /** Workers running or booting at most (stopped ones still count against max_instances). */
  max: number;
  /** How long a run waits before capacity is started for it. */
  startAfterSeconds: number;
  /** How long a worker above `min` may have no run in flight before it is released. */
  releaseAfterSeconds: number;
  /** `destroy` (nothing bills) or `stop` (its disk, with the models, stays and still bills). */
  release: 'stop' | 'destroy';
  /** Runs one of its workers takes at once (a GPU usually serves one well): how many waiting runs one new worker absorbs. */
  runsPerWorker: number;
}

const KNOWN = new Set(['min', 'max', 'start_after', 'release_after', 'release', 'runs_per_worker']);

/** `scale` of a profile; `max` may not exceed the profile's max_instances (the cap on live instances stays the cap). */
export function parseScale(input: unknown, maxInstances: number): ScalePolicy {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new ProfileError('scale', '"scale" must be an object');
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw))
    if (!KNOWN.has(key)) throw new ProfileError(`scale.${key}`, `unknown scale field "${key}"; known: ${[...KNOWN].join(', ')}`);
  const release = raw['release'] ?? 'destroy';
  if (release !== 'stop' && release !== 'destroy')
    throw new ProfileError('scale.release', `"scale.release" must be stop or destroy, got ${JSON.stringify(release)}`);
  const policy: ScalePolicy = {
    min: number(raw, 'min', 0, { min: 0, integer: true }, 'scale.'),
    max: number(raw, 'max', Math.min(maxInstances, 1), { min: 1, integer: true }, 'scale.'),
    startAfterSeconds: number(raw, 'start_after', 0, { min: 0 }, 'scale.'),
    releaseAfterSeconds: number(raw, 'release_after', 30, { min: 0 }, 'scale.'),
    release,
    runsPerWorker: number(raw, 'runs_per_worker', 1, { min: 1, max: 1000, integer: true }, 'scale.'),
  };
  if (policy.max > maxInstances)
    throw new ProfileError(
      'scale.max',
      `"scale.max" (${policy.max}) is above the profile's max_instances (${maxInstances}): raise max_instances or lower scale.max`,
    );
  if (policy.min > policy.max) throw new ProfileError('scale.min', `"scale.min" (${policy.min}) is above "scale.max" (${policy.max})`);
  return policy;
}

export function scaleToRecord(policy: ScalePolicy) {
  return {
    min: policy.min,
    max: policy.max,
    start_after: policy.startAfterSeconds,
    release_after: policy.releaseAfterSeconds,
    release: policy.release,
    runs_per_worker: policy.runsPerWorker,
  };
}
