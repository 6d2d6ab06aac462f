/**
 * Settings of ours whose names the released worker also reads, with another meaning: nodetool-core's
 * logging takes NODETOOL_LOG_FORMAT as a Python logging format string and NODETOOL_LOG_LEVEL as a
 * Python level name. A server started with NODETOOL_LOG_FORMAT=json handed it on, and its stdio worker
 * died at import ("Invalid format 'json' for '%' style"); `trace` and `silent` are no Python level.
 */
const OURS_NOT_THE_WORKERS = ['NODETOOL_LOG_FORMAT', 'NODETOOL_LOG_LEVEL'];

/** Forced on the child: progress bars and chatty logs can corrupt a frame stream or flood stderr. */
const QUIET_ENV = { TQDM_DISABLE: '1', HF_HUB_DISABLE_PROGRESS_BARS: '1', TRANSFORMERS_VERBOSITY: 'error', PYTHONUNBUFFERED: '1' };

/** The environment a stdio worker starts with: its parent's, without our settings that clash with its own. */
export function stdioWorkerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const workerEnv: NodeJS.ProcessEnv = { ...env, ...QUIET_ENV };
  for (const name of OURS_NOT_THE_WORKERS) delete workerEnv[name];
  return workerEnv;
}
