import { z } from 'zod';

/** A rented GPU worker as the server reports it (GET /api/rented-workers, WS rented_worker). */
export const RentedWorkerInfo = z.object({
  /** `<provider>:<instance id>` */
  id: z.string(),
  /** The provider's name in the server's registry (`runpod`, `vast`). */
  provider: z.string(),
  instance_id: z.string(),
  /** Its name at the provider: `nodetool-<profile>-<random>`. */
  name: z.string(),
  profile: z.string(),
  state: z.enum(['creating', 'provisioning', 'running', 'stopped', 'destroyed', 'failed']),
  /** What it is doing, for people: provisioning, starting, healthy, stopped (why), failed. */
  stage: z.string(),
  gpu: z.string().nullable(),
  price_per_hour: z.number().nullable(),
  /** Its pool id: its provider's URL, `<provider>://<instance>?tls=1`. */
  url: z.string(),
  /** The certificate the server made for it and pins (null only for a worker rented before TLS was required). */
  tls_fingerprint: z.string().nullable(),
  attached: z.boolean(),
  created_at: z.string(),
  uptime_seconds: z.number(),
  /** USD, every running period so far at its hourly price. */
  cost_so_far: z.number(),
  last_activity: z.string(),
  error: z.string().nullable(),
});
export type RentedWorkerInfo = z.infer<typeof RentedWorkerInfo>;

/** Something the cost guard (or a failed creation) did, and why. */
export const GuardEventInfo = z.object({
  id: z.number(),
  at: z.string(),
  /** A rented worker's id, or a provider for a reconciliation that failed. */
  worker: z.string(),
  /** stop, start, destroy, report, and their -failed forms */
  action: z.string(),
  /** idle, ttl, spend, orphan, run-waiting, create-failed, over-ceiling, provider */
  reason: z.string(),
  detail: z.string(),
});
export type GuardEventInfo = z.infer<typeof GuardEventInfo>;

/**
 * A worker profile as stored and listed; no secret is ever in one, only the name of the variable that
 * holds the provider key. A profile sent to the server is checked by the provisioning library, which has
 * the provider-specific rules and names the field at fault.
 */
export const WorkerProfileRecord = z.object({
  name: z.string(),
  provider: z.string(),
  gpu_type: z.string(),
  gpu_count: z.number(),
  image: z.string(),
  volume_gb: z.number(),
  volume_mount: z.string(),
  container_disk_gb: z.number(),
  cuda_min: z.string(),
  max_price_per_hour: z.number(),
  api_key_env: z.string(),
  port: z.number(),
  tls: z.boolean(),
  max_instances: z.number(),
  guard: z.object({
    idle_stop_minutes: z.number(),
    max_hours: z.number(),
    max_spend: z.number(),
    on_stopped_run: z.enum(['restart', 'fail']),
  }),
  /** Profiles that serve the same runs (a run may name its group); the profile's name by default. */
  group: z.string(),
  /** Node namespaces its workers offer, for runs that wait before any worker of it ever connected. */
  namespaces: z.array(z.string()),
  /** Started for waiting runs, released when idle; durations in seconds. Absent: rented by hand only. */
  scale: z
    .object({
      min: z.number(),
      max: z.number(),
      start_after: z.number(),
      release_after: z.number(),
      release: z.enum(['stop', 'destroy']),
      runs_per_worker: z.number(),
    })
    .optional(),
  /** Interruptible capacity: a bid at the provider's minimum, taken back at any time (a scaled profile only). */
  interruptible: z.boolean(),
});
export type WorkerProfileRecord = z.infer<typeof WorkerProfileRecord>;
