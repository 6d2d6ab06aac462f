/** The worker's models as the server reports them: on disk (its cache), loaded (held by the keep-alive), downloading. */

/** Progress of one download into the worker's cache (the worker's models.download progress frames). */
export interface ModelDownloadProgress {
  repo_id: string;
  /** The worker it downloads to, in a pool of several. */
  worker?: string;
  /** One file of the repo, when only that file is fetched. */
  path: string | null;
  status: 'start' | 'progress' | 'completed' | 'cancelled' | 'error';
  downloaded_bytes: number;
  total_bytes: number;
  downloaded_files: number;
  total_files: number;
  error?: string;
}

/** A set of models the keep-alive holds loaded on the worker. */
export interface ResidentModel {
  /** Model keys: `repo_id`, or `repo_id:path` for one file. */
  models: string[];
  /** The worker that holds it, in a pool of several. */
  worker?: string;
  job_id: string;
  /** Epoch ms. */
  since: number;
  last_used: number;
  /** When it will be released; null while a run uses it, or when kept until evicted. */
  expires_at: number | null;
  /** The keep-alive left, measured by the server when it answered (no clock of the client's involved). */
  remaining_ms: number | null;
  /** The keep-alive it was last given ("5m", "forever"). */
  keep_alive: string;
  /** Runs using it right now. */
  in_use: number;
}

/** A model in the worker's cache. */
export interface CachedModelSummary {
  repo_id: string;
  /** The worker whose cache holds it. */
  worker?: string;
  path: string | null;
  size_on_disk: number | null;
  /** What the worker inferred (e.g. "hf.sentence_similarity"), when it could. */
  type: string | null;
  /** Whether the keep-alive holds it loaded. */
  resident: boolean;
}

/** GET /api/models. */
export interface ModelsReport {
  cached: CachedModelSummary[];
  resident: ResidentModel[];
  downloads: ModelDownloadProgress[];
  /** The server's default keep-alive ("5m"). */
  keep_alive: string;
}
