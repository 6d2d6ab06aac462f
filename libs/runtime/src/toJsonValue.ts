import { isNpArray, npArrayToNumbers } from '@nt/protocol';

/**
 * Makes a run value printable as JSON: np_array becomes its numbers with
 * dtype and shape, bytes become base64, dates ISO strings.
 */
export function toJsonValue(value: unknown): unknown {
  if (isNpArray(value)) return { type: 'np_array', dtype: value.dtype, shape: value.shape, data: npArrayToNumbers(value) };
  if (value instanceof Uint8Array) return { type: 'bytes', size: value.byteLength, base64: Buffer.from(value).toString('base64') };
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) out[key] = toJsonValue(entry);
    return out;
  }
  return value;
}
