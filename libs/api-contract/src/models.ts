import { z } from 'zod';

/** The worker's models as the server reports them: on disk (its cache), loaded (held by the keep-alive), downloading. */

/** Progress of one download into the worker's cache (the worker's models.download progress frames). */
export const ModelDownloadProgress = z.object({
  repo_id: z.string(),
  /** The worker it downloads to, in a pool of several. */
  worker: z.string().optional(),
  /** One file of the repo, when only that file is fetched. */
  path: z.string().nullable(),
  status: z.enum(['start', 'progress', 'completed', 'cancelled', 'error']),
  downloaded_bytes: z.number(),
  total_bytes: z.number(),
  downloaded_files: z.number(),
  total_files: z.number(),
  error: z.string().optional(),
});
export type ModelDownloadProgress = z.infer<typeof ModelDownloadProgress>;

/** A set of models the keep-alive holds loaded on the worker. */
export const ResidentModel = z.object({
  /** Model keys: `repo_id`, or `repo_id:path` for one file. */
  models: z.array(z.string()),
  /** The worker that holds it, in a pool of several. */
  worker: z.string().optional(),
  job_id: z.string(),
  /** Epoch ms. */
  since: z.number(),
  last_used: z.number(),
  /** When it will be released; null while a run uses it, or when kept until evicted. */
  expires_at: z.number().nullable(),
  /** The keep-alive left, measured by the server when it answered (no clock of the client's involved). */
  remaining_ms: z.number().nullable(),
  /** The keep-alive it was last given ("5m", "forever"). */
  keep_alive: z.string(),
  /** Runs using it right now. */
  in_use: z.number(),
});
export type ResidentModel = z.infer<typeof ResidentModel>;

/** A model in the worker's cache. */
export const CachedModelSummary = z.object({
  repo_id: z.string(),
  /** The worker whose cache holds it. */
  worker: z.string().optional(),
  path: z.string().nullable(),
  size_on_disk: z.number().nullable(),
  /** What the worker inferred (e.g. "hf.sentence_similarity"), when it could. */
  type: z.string().nullable(),
  /** Whether the keep-alive holds it loaded. */
  resident: z.boolean(),
});
export type CachedModelSummary = z.infer<typeof CachedModelSummary>;

/** GET /api/models. */
export const ModelsReport = z.object({
  cached: z.array(CachedModelSummary),
  resident: z.array(ResidentModel),
  downloads: z.array(ModelDownloadProgress),
  /** The server's default keep-alive ("5m"). */
  keep_alive: z.string(),
});
export type ModelsReport = z.infer<typeof ModelsReport>;
