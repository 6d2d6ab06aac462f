import { Decoder, Encoder } from '@msgpack/msgpack';

/**
 * The msgpack rules of the worker contract:
 * - objects go out as maps and undefined keys are left out (never null);
 * - Uint8Array goes out as bin, never base64;
 * - int64/uint64 come back as JS numbers, not BigInt (download byte counts pass 2^32);
 * - timestamp ext -1 comes back as a Date (a UTC instant);
 * - maps come back as plain objects.
 */
const encoder = new Encoder({ ignoreUndefined: true, useBigInt64: false });
const decoder = new Decoder({ useBigInt64: false });

export function encodeMessage(message: unknown): Uint8Array {
  return encoder.encode(message);
}

/** Throws on malformed input; callers decide whether that fails one request or the transport. */
export function decodeMessage(bytes: Uint8Array): unknown {
  return decoder.decode(bytes);
}
