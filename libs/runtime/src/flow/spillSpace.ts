import { tmpdir } from 'node:os';

/**
 * Where items that wait past an input's bound go, and what they may take there. The server's is the
 * run's asset allowance (NODETOOL_MAX_RUN_ASSET_BYTES): bytes waiting on disk count against it as long
 * as they wait; the CLI's is the temporary folder, limited by the disk alone.
 */
export interface SpillSpace {
  /** A folder for spill files (each is removed when its input is done with it). */
  readonly dir: string;
  /** Bytes about to be written; throws, naming the limit, when the run may not keep that much. */
  charge(bytes: number): void;
  /** Bytes read back (or discarded): no longer on disk. */
  refund(bytes: number): void;
}

export function unlimitedSpillSpace(dir = tmpdir()): SpillSpace {
  return { dir, charge: () => undefined, refund: () => undefined };
}
