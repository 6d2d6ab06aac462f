import type { Readable } from 'node:stream';
import type { BlobSink } from '@nt/bridge';
import type { AssetRef } from '@nt/api-contract';
import type { SpillSpace } from './flow/spillSpace.js';

/**
 * Where a run's binary results go and how its binary inputs are read: the server's asset store, or the
 * CLI's output directory. Without one, results stay in memory (bytes) as they always did.
 */
export interface RunAssets {
  /** Where the result blobs of one node go as they arrive. */
  sinkFor(nodeId: string): BlobSink;
  /** The bytes of an asset a Python node takes as input (sent to the worker as a blob). */
  read(ref: AssetRef): Promise<Uint8Array>;
  /**
   * A short-lived URL the worker fetches the asset from itself (a presigned GET of the server's bucket),
   * for inputs too large to send across the link; null: send the bytes.
   */
  inputUrl?(ref: AssetRef): Promise<string | null>;
  /**
   * Keeps a workflow's media as an asset of the run (an image URL's bytes as they arrive, inline data),
   * under the asset limits; without it they stay bytes in memory.
   */
  keep?(nodeId: string, name: string, body: Readable | Uint8Array, hints: { contentType?: string | null }): Promise<AssetRef>;
  /** Whether an asset a run names is there; without it an unknown asset fails when it is read. */
  has?(ref: AssetRef): boolean | Promise<boolean>;
  /** Where stream items that wait past an input's bound go, counted against the run's allowance; the temporary folder without it. */
  spill?: SpillSpace;
}
