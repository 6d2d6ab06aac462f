/** 256 MiB, the worker's own default ceiling; keep both sides equal. */
export const DEFAULT_MAX_FRAME_SIZE = 268_435_456;
/** The stdio length prefix is a u32, so no frame can be larger than this. */
export const MAX_U32 = 0xffff_ffff;

export const MAX_FRAME_SIZE_ENV = 'NODETOOL_BRIDGE_MAX_FRAME_SIZE';

/**
 * Strictly parses a byte count: decimal digits only, positive, at most 4 GiB - 1.
 * Unlike a bare parseInt it refuses "10MB", "1e9", " 5" and "-1", because a
 * silently misread limit (the reference once turned it into NaN) disables the guard.
 */
export function parseMaxFrameSize(raw: string, source = MAX_FRAME_SIZE_ENV): number {
  if (!/^[0-9]+$/.test(raw)) {
    throw new RangeError(`${source} must be a whole number of bytes, got ${JSON.stringify(raw)}`);
  }
  const value = Number(raw);
  if (value < 1 || value > MAX_U32) {
    throw new RangeError(`${source} must be between 1 and ${MAX_U32} bytes, got ${raw}`);
  }
  return value;
}

/** The ceiling from the environment, or the default when the variable is unset or empty. */
export function maxFrameSizeFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_FRAME_SIZE_ENV];
  return raw === undefined || raw === '' ? DEFAULT_MAX_FRAME_SIZE : parseMaxFrameSize(raw);
}

export function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${bytes} bytes (${(bytes / 1024 / 1024).toFixed(1)} MiB)`;
  return `${bytes} bytes`;
}
