/** Exit codes shared by every command; scripts branch on them. */
export const EXIT = {
  ok: 0,
  /** A node or command failed. */
  failed: 1,
  /** Bad usage or an invalid input file. */
  usage: 2,
  /** No worker at the URL, or the local worker could not start. */
  unreachable: 3,
  /** The worker answered HTTP 401: wrong or missing NODETOOL_WORKER_TOKEN. */
  tokenRejected: 4,
  /** The server stopped during the run (shutdown or crash): nothing is wrong with the workflow; run it again. */
  interrupted: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
