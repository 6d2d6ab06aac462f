/**
 * The one message shape both transports carry: a msgpack map with exactly
 * `type`, `request_id` and `data`.
 */
export interface Envelope<T extends string = string, D = Record<string, unknown>> {
  type: T;
  /** A fresh UUID per request. Null only on frame-level errors the worker could not attribute. */
  request_id: string | null;
  data: D;
}

/** Frames that end a request. `discover` answers with its own type; `cancel` gets no answer at all. */
export const TERMINAL_FRAME_TYPES = new Set(['result', 'error', 'discover']);

/** Frames a request may receive before its terminal frame. */
export const INTERMEDIATE_FRAME_TYPES = new Set(['progress', 'chunk', 'update', 'comfy.event', 'blob.start', 'blob.chunk', 'blob.end']);

export function isTerminalFrame(type: string): boolean {
  return TERMINAL_FRAME_TYPES.has(type);
}

/**
 * Checks that a decoded value is an envelope. Anything else is a protocol
 * violation the caller reports; unknown `type` values are still envelopes and
 * are ignored further up, as the contract requires.
 */
export function asEnvelope(value: unknown): Envelope | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const candidate = value as Record<string, unknown>;
  if (typeof candidate['type'] !== 'string') return null;
  const requestId = candidate['request_id'];
  if (requestId !== null && requestId !== undefined && typeof requestId !== 'string') return null;
  const data = candidate['data'];
  const safeData = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  return { type: candidate['type'], request_id: (requestId as string | null | undefined) ?? null, data: safeData };
}
