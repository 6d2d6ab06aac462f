import type { SpillSpace } from '@nt/runtime';
import { AssetTooLargeError } from './tempAssetFile.js';

const MiB = 1024 * 1024;
export const describeSize = (bytes: number) => (bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`);

/**
 * What one run may keep: each asset up to NODETOOL_MAX_ASSET_BYTES, and its results with the stream
 * items waiting on disk for a slow node, together, up to NODETOOL_MAX_RUN_ASSET_BYTES.
 */
export class RunAllowance {
  private used = 0;

  constructor(private readonly limits: { assetBytes: number; runBytes: number }) {}

  /** Counts a result of `size` bytes, or refuses it naming the node, the result and the setting. */
  count(nodeId: string, name: string, size: number): void {
    const { assetBytes, runBytes } = this.limits;
    if (size > assetBytes)
      throw new AssetTooLargeError(
        `the result "${name}" of node ${nodeId} is ${describeSize(size)}, above the ${describeSize(assetBytes)} an asset may be (NODETOOL_MAX_ASSET_BYTES)`,
      );
    this.used += size;
    if (this.used > runBytes)
      throw new AssetTooLargeError(
        `the results of this run reach ${describeSize(this.used)}, above the ${describeSize(runBytes)} a run may make (NODETOOL_MAX_RUN_ASSET_BYTES)`,
      );
  }

  /** Where stream items wait on disk for a slow node: in `dir`, counted while they wait, given back after. */
  spillSpace(dir: string): SpillSpace {
    return {
      dir,
      charge: (bytes) => {
        if (this.used + bytes > this.limits.runBytes)
          throw new AssetTooLargeError(
            `stream items waiting on disk for a slow node, with this run's results, would reach ${describeSize(this.used + bytes)}, above the ${describeSize(this.limits.runBytes)} a run may keep (NODETOOL_MAX_RUN_ASSET_BYTES)`,
          );
        this.used += bytes;
      },
      refund: (bytes) => {
        this.used -= bytes;
      },
    };
  }
}
