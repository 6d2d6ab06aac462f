import { describe, expect, it } from 'vitest';
import { numbersToNpArray } from '@nt/protocol';
import { toJsonValue } from './toJsonValue.js';

describe('toJsonValue', () => {
  it('turns np_array values, bytes and dates into JSON, wherever they sit', () => {
    const value = {
      embedding: numbersToNpArray([1.5, -2]),
      nested: [{ raw: new Uint8Array([104, 105]) }, 'text'],
      at: new Date('2026-12-06T12:00:00Z'),
    };
    expect(toJsonValue(value)).toEqual({
      embedding: { type: 'np_array', dtype: '<f8', shape: [2], data: [1.5, -2] },
      nested: [{ raw: { type: 'bytes', size: 2, base64: 'aGk=' } }, 'text'],
      at: '2026-12-06T12:00:00.000Z',
    });
    expect(value.nested[1]).toBe('text');
    expect(value.nested[0]).toEqual({ raw: new Uint8Array([104, 105]) });
  });

  it('gives back a value with nothing to convert as it is, without copying it', () => {
    const event = { type: 'output_update', value: { items: [1, 2, { a: null }] }, item: 3 };
    expect(toJsonValue(event)).toBe(event);
    const mixed = { plain: { a: 1 }, bytes: new Uint8Array(1) };
    const converted = toJsonValue(mixed) as Record<string, unknown>;
    expect(converted).not.toBe(mixed);
    expect(converted['plain']).toBe(mixed.plain);
  });
});
