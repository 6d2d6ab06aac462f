import { isNpArray, npArrayToNumbers } from '@nt/protocol';

/**
 * Makes a run value printable as JSON: np_array becomes its numbers with
 * dtype and shape, bytes become base64, dates ISO strings. A value with nothing
 * to convert comes back as it is, not copied: a stream's events are mostly
 * plain, and there are thousands of them a second.
 */
export function toJsonValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (isNpArray(value)) return { type: 'np_array', dtype: value.dtype, shape: value.shape, data: npArrayToNumbers(value) };
  if (value instanceof Uint8Array) return { type: 'bytes', size: value.byteLength, base64: Buffer.from(value).toString('base64') };
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let index = 0; index < value.length; index++) {
      const converted = toJsonValue(value[index]);
      if (converted !== value[index] && !copy) copy = value.slice(0, index);
      copy?.push(converted);
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | null = null;
  const entries = Object.entries(value);
  for (let index = 0; index < entries.length; index++) {
    const [key, entry] = entries[index] as [string, unknown];
    const converted = toJsonValue(entry);
    if (converted !== entry && !copy) copy = Object.fromEntries(entries.slice(0, index));
    if (copy) copy[key] = converted;
  }
  return copy ?? value;
}
