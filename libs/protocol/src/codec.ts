import { Decoder, Encoder } from '@msgpack/msgpack';
import { DEFAULT_MAX_FRAME_SIZE } from './frameSize.js';

/**
 * The msgpack rules of the worker contract:
 * - objects go out as maps and undefined keys are left out (never null);
 * - Uint8Array goes out as bin, never base64;
 * - int64/uint64 come back as JS numbers, not BigInt (download byte counts pass 2^32);
 * - timestamp ext -1 comes back as a Date (a UTC instant);
 * - maps come back as plain objects.
 */
const encoder = new Encoder({ ignoreUndefined: true, useBigInt64: false });

export function encodeMessage(message: unknown): Uint8Array {
  return encoder.encode(message);
}

/**
 * Like encodeMessage, without the final copy: a view of the encoder's own buffer, valid only until the
 * next encode. For a sender that copies it at once (ws masks into its own frame buffer, the stdio
 * framing writes a new one), this saves copying every payload, 64 MiB inputs included, one more time.
 */
export function encodeMessageForImmediateSend(message: unknown): Uint8Array {
  return encoder.encodeSharedRef(message);
}

/**
 * What one inbound message may hold. A declared length can never exceed the frame it arrived in, so
 * every length limit is the frame ceiling: a header claiming more is refused before anything is
 * allocated for it. Depth is limited so that no consumer walking the value recursively (JSON
 * conversion, logging) can be driven off the stack by a frame of nested one-byte arrays.
 */
export interface DecodeLimits {
  maxFrameSize: number;
  maxDepth: number;
}

export const DEFAULT_MAX_DEPTH = 128;

/** Raised for a message that breaks a decode limit; the message names the limit. */
export class DecodeLimitError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeLimitError';
  }
}

export type MessageDecoder = (bytes: Uint8Array) => unknown;

/** A decoder bound to limits; throws on malformed input or a broken limit. */
export function createMessageDecoder(limits: Partial<DecodeLimits> = {}): MessageDecoder {
  const maxFrameSize = limits.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const decoder = new Decoder({
    useBigInt64: false,
    maxStrLength: maxFrameSize,
    maxBinLength: maxFrameSize,
    maxArrayLength: maxFrameSize,
    maxMapLength: maxFrameSize,
    maxExtLength: maxFrameSize,
  });
  return (bytes) => {
    if (bytes.byteLength > maxFrameSize) throw new DecodeLimitError(`a message of ${bytes.byteLength} bytes exceeds the ${maxFrameSize}-byte ceiling`);
    const value = decoder.decode(bytes);
    // Each level of nesting takes at least one byte, so a frame this small cannot be too deep.
    if (bytes.byteLength > maxDepth) checkDepth(value, maxDepth);
    return value;
  };
}

const defaultDecoder = createMessageDecoder();

/** Throws on malformed input; callers decide whether that fails one request or the transport. */
export function decodeMessage(bytes: Uint8Array): unknown {
  return defaultDecoder(bytes);
}

/** Walks containers with an explicit stack (the walk itself must not recurse). Binary and dates are leaves. */
function checkDepth(root: unknown, maxDepth: number): void {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array || value instanceof Date) continue;
    if (depth > maxDepth) throw new DecodeLimitError(`a message nests deeper than ${maxDepth} levels`);
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
}
