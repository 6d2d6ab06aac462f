/**
 * numpy arrays travel as `{type: "np_array", value: <bin>, dtype, shape}`
 * with `dtype` in numpy's `dtype.str` notation (`<f8`, `<f4`, `|u1`, ...).
 */
export interface NpArrayValue {
  type: 'np_array';
  value: Uint8Array;
  dtype: string;
  shape: number[];
}

export function isNpArray(value: unknown): value is NpArrayValue {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return (
    candidate['type'] === 'np_array' && candidate['value'] instanceof Uint8Array && typeof candidate['dtype'] === 'string' && Array.isArray(candidate['shape'])
  );
}

type Reader = (view: DataView, offset: number, littleEndian: boolean) => number;

const READERS: Record<string, { size: number; read: Reader }> = {
  f8: { size: 8, read: (v, o, le) => v.getFloat64(o, le) },
  f4: { size: 4, read: (v, o, le) => v.getFloat32(o, le) },
  i8: { size: 8, read: (v, o, le) => Number(v.getBigInt64(o, le)) },
  i4: { size: 4, read: (v, o, le) => v.getInt32(o, le) },
  i2: { size: 2, read: (v, o, le) => v.getInt16(o, le) },
  i1: { size: 1, read: (v, o) => v.getInt8(o) },
  u8: { size: 8, read: (v, o, le) => Number(v.getBigUint64(o, le)) },
  u4: { size: 4, read: (v, o, le) => v.getUint32(o, le) },
  u2: { size: 2, read: (v, o, le) => v.getUint16(o, le) },
  u1: { size: 1, read: (v, o) => v.getUint8(o) },
  b1: { size: 1, read: (v, o) => v.getUint8(o) },
};

/**
 * Flattens an np_array into numbers in C order. A DataView reads straight from
 * the msgpack buffer, so the unaligned bin offset needs no copy, and a
 * big-endian dtype (`>f8`) decodes correctly too.
 */
export function npArrayToNumbers(array: NpArrayValue): number[] {
  const order = array.dtype[0];
  const kind = array.dtype.slice(1);
  const reader = READERS[kind];
  if (!reader || (order !== '<' && order !== '>' && order !== '|' && order !== '=')) {
    throw new TypeError(`unsupported np_array dtype ${JSON.stringify(array.dtype)}`);
  }
  const count = array.shape.reduce((product, dim) => product * dim, 1);
  if (count * reader.size !== array.value.byteLength) {
    throw new RangeError(
      `np_array of shape [${array.shape.join(', ')}] and dtype ${array.dtype} needs ${count * reader.size} bytes, got ${array.value.byteLength}`,
    );
  }
  const view = new DataView(array.value.buffer, array.value.byteOffset, array.value.byteLength);
  const littleEndian = order !== '>';
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = reader.read(view, i * reader.size, littleEndian);
  return out;
}

/** Builds a little-endian float64 np_array, the form the worker's numpy reads back as `<f8`. */
export function numbersToNpArray(values: ArrayLike<number>, shape: number[] = [values.length]): NpArrayValue {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i] as number, true);
  return { type: 'np_array', value: bytes, dtype: '<f8', shape };
}
