/** Who minted a run's id: the server or a runtime (`job`), the CLI's run on a server (`cli`), the web UI (`ui`). */
export type JobIdOrigin = 'job' | 'cli' | 'ui';

/**
 * A new run's id, `<origin>-<random UUID>`: the one way every part makes one. A client may still choose
 * its run's `job_id` itself (it starts watching before the reply, and reconnects by it); this is how
 * ours do.
 */
export function newJobId(origin: JobIdOrigin = 'job'): string {
  return `${origin}-${globalThis.crypto.randomUUID()}`;
}
