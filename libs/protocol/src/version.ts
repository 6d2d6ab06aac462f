import type { WorkerStatus } from './messages.js';

/** The newest protocol this client knows. Workers above it are used with a warning: every change so far was additive. */
export const BRIDGE_PROTOCOL_VERSION = 6;
/** The hard floor: below it the worker is refused. */
export const MIN_BRIDGE_PROTOCOL_VERSION = 1;
/** The nodetool-core release we pin, test against and package. */
export const PINNED_NODETOOL_CORE_VERSION = '0.8.2';

/** A missing or non-numeric version means protocol 1. */
export function readProtocolVersion(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 1;
}

export type VersionVerdict = { ok: true; warning?: string } | { ok: false; reason: string };

export function checkProtocolVersion(version: number): VersionVerdict {
  if (version < MIN_BRIDGE_PROTOCOL_VERSION) {
    return {
      ok: false,
      reason: `worker speaks bridge protocol ${version}, below the minimum ${MIN_BRIDGE_PROTOCOL_VERSION}; reinstall the worker environment`,
    };
  }
  if (version > BRIDGE_PROTOCOL_VERSION) {
    return {
      ok: true,
      warning: `worker speaks bridge protocol ${version}, newer than this client's ${BRIDGE_PROTOCOL_VERSION}; assuming backward compatibility`,
    };
  }
  return { ok: true };
}

/**
 * Feature gates read from `worker.status.protocol_version`; a worker whose
 * status was never received has version 0 and every gate closed.
 */
export interface Capabilities {
  modelManagement: boolean;
  comfy: boolean;
  jobLifecycle: boolean;
  modelEviction: boolean;
  /** Result blobs in bounded, checksummed blob.* frames (`blob_transfer: "chunked-v1"`). */
  chunkedBlobs: boolean;
  /**
   * Our extension of the worker (apps/worker/compat): large results uploaded straight to the server's
   * bucket through presigned URLs (`asset_offload`), announced as `asset_offload: "v1"` in worker.status.
   */
  assetOffload: boolean;
}

export function capabilitiesOf(status: WorkerStatus | null | undefined): Capabilities {
  const version = status?.protocol_version ?? 0;
  return {
    modelManagement: version >= 2,
    comfy: version >= 3 && status?.comfy?.enabled === true,
    jobLifecycle: version >= 4,
    modelEviction: version >= 4,
    chunkedBlobs: version >= 5,
    assetOffload: version >= 5 && status?.['asset_offload'] === 'v1',
  };
}
