import { z } from 'zod';

const NodeStatus = z.enum(['running', 'completed', 'failed', 'skipped', 'cancelled']);
const ServerJobStatus = z.enum(['running', 'completed', 'failed', 'cancelled', 'queued', 'interrupted']);

/**
 * The statuses of a job still going: waiting or running. Every other status is final (nothing about
 * the job changes after it), so a status added later counts as finished everywhere, unless it is added
 * here: retention, the event log, the hub, the clients all read these two lists.
 */
export const LIVE_JOB_STATUSES = ['queued', 'running'] as const satisfies ReadonlyArray<z.infer<typeof ServerJobStatus>>;
export const FinalJobStatus = ServerJobStatus.exclude(LIVE_JOB_STATUSES);
export type FinalJobStatus = z.infer<typeof FinalJobStatus>;
/** The statuses a job ends in. */
export const FINAL_JOB_STATUSES: readonly FinalJobStatus[] = FinalJobStatus.options;
export const isFinalJobStatus = (status: string): status is FinalJobStatus => (FINAL_JOB_STATUSES as readonly string[]).includes(status);

/** A graph as stored and sent: nodes with their values, edges between handles. */
export const GraphDocument = z.object({
  nodes: z.array(z.object({ id: z.string(), type: z.string(), data: z.record(z.string(), z.unknown()), sync_mode: z.enum(['on_any', 'zip_all']).optional() })),
  edges: z.array(z.object({ id: z.string().optional(), source: z.string(), sourceHandle: z.string(), target: z.string(), targetHandle: z.string() })),
});
export type GraphDocument = z.infer<typeof GraphDocument>;

/** One node's part of a finished run. */
export const NodeRunRecord = z.object({
  type: z.string(),
  status: z.union([NodeStatus, z.literal('pending')]),
  error: z.string().optional(),
  duration_ms: z.number().optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
  /** The worker that ran it (its URL without credentials, or `stdio:<python>`), for Python nodes. */
  worker: z.string().optional(),
  /**
   * Outputs that were streams (a streaming node, a node fired per item, a sink fed by a stream), by
   * output: how many items went by, and how many of the first ones the record left out
   * (NODETOOL_MAX_RECORDED_ITEMS); `outputs` holds the rest, in order.
   */
  streamed: z.record(z.string(), z.object({ items: z.number(), left_out: z.number() })).optional(),
  /** Items that waited for this node on disk, past its inputs' bound in memory (a slow consumer). */
  spilled_items: z.number().optional(),
});
export type NodeRunRecord = z.infer<typeof NodeRunRecord>;

/** What a run left: JSON-safe outputs (by sink name), per-node records, its duration. */
export const JobResult = z.object({
  outputs: z.record(z.string(), z.unknown()),
  nodes: z.record(z.string(), NodeRunRecord),
  duration_ms: z.number(),
});
export type JobResult = z.infer<typeof JobResult>;

/**
 * What a queued run waits for when no worker can take it and a scaled group brings one: the stage
 * (`waiting` for start_after or room, `renting`, `booting`, `starting` a stopped worker), a sentence for
 * people, since when it is at that stage, and the worker coming once there is one.
 */
export const RunWaiting = z.object({
  group: z.string(),
  stage: z.enum(['waiting', 'renting', 'booting', 'starting']),
  text: z.string(),
  since: z.string(),
  worker: z.string().optional(),
});
export type RunWaiting = z.infer<typeof RunWaiting>;

/** A job as /api/jobs/:id answers it; `nodes` holds live per-node states while it runs. */
export const JobRecord = z.object({
  id: z.string(),
  workflow_id: z.string().nullable(),
  status: ServerJobStatus,
  graph: GraphDocument,
  params: z.record(z.string(), z.unknown()),
  result: JobResult.nullable(),
  error: z.string().nullable(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  nodes: z
    .record(z.string(), z.object({ status: z.string(), progress: z.number().optional(), total: z.number().optional(), worker: z.string().optional() }))
    .optional(),
  /** While it is queued for capacity a scaled group brings: what it waits for. */
  waiting: RunWaiting.optional(),
});
export type JobRecord = z.infer<typeof JobRecord>;

/** The job list leaves the graph out. */
export const JobSummary = JobRecord.omit({ graph: true });
export type JobSummary = z.infer<typeof JobSummary>;

/** A run started without waiting: 202 with its id and where it stands. */
export const JobStarted = z.object({ job_id: z.string(), status: ServerJobStatus });
export type JobStarted = z.infer<typeof JobStarted>;

/**
 * What a run asks for (POST /api/run, POST /api/workflows/:id/run, the WebSocket's run_job): a saved
 * workflow by id, or an inline graph or workflow document (checked by the runtime, which names every
 * problem), its params, and how it treats models.
 */
export const RunRequest = z.object({
  workflow_id: z.string({ error: '"workflow_id" must be a string' }).optional(),
  graph: z.unknown().optional(),
  workflow: z.unknown().optional(),
  params: z.record(z.string(), z.unknown(), { error: '"params" must be an object' }).optional(),
  /** A caller-chosen id: it appears in URLs and logs. */
  job_id: z
    .string()
    .regex(/^[\w.-]{1,100}$/, { error: '"job_id" must be 1-100 letters, digits, "_", "-" or "."' })
    .optional(),
  /** Answer with the finished job instead of 202 (HTTP only; also `?wait=true`). */
  wait: z.boolean({ error: '"wait" must be true or false' }).optional(),
  /** How long the run's models stay loaded after it: "5m", "30s", 0, -1 (the server's NODETOOL_MODEL_KEEP_ALIVE by default). */
  keep_alive: z.union([z.string(), z.number()], { error: '"keep_alive" must be a duration like "5m", or a number of seconds' }).optional(),
  /** false: fail instead of downloading models the worker lacks. */
  download_missing: z.boolean({ error: '"download_missing" must be true or false' }).optional(),
  /** Run a node again on another worker when its worker was lost while it ran (it may have had effects). */
  retry_on_worker_loss: z.boolean({ error: '"retry_on_worker_loss" must be true or false' }).optional(),
  /** The group of worker profiles that serves it (a scaled group rents a worker when none is connected); the workflow's settings.worker_group by default. */
  group: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: '"group" must be a group name: 1-40 lowercase letters, digits or -' })
    .optional(),
});
export type RunRequest = z.infer<typeof RunRequest>;
