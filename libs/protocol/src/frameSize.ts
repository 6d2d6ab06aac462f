/** 256 MiB, the worker's own default ceiling; keep both sides equal. */
export const DEFAULT_MAX_FRAME_SIZE = 268_435_456;
/** The stdio length prefix is a u32, so no frame can be larger than this. */
export const MAX_U32 = 0xffff_ffff;

export function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${bytes} bytes (${(bytes / 1024 / 1024).toFixed(1)} MiB)`;
  return `${bytes} bytes`;
}
