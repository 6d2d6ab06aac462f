import { describe, expect, it } from 'vitest';
import { isAuthorized } from './tokenGate.js';

describe('isAuthorized', () => {
  it('is open when no token is configured', () => {
    expect(isAuthorized(undefined, undefined)).toBe(true);
    expect(isAuthorized('Basic x', '')).toBe(true);
  });

  it('accepts only the exact "Bearer <token>" value', () => {
    expect(isAuthorized('Bearer abc', 'abc')).toBe(true);
    for (const header of [undefined, '', 'Bearer', 'Bearer ', 'bearer abc', 'Bearer  abc', 'Bearer abcd', 'Bearer ab', 'Basic abc']) {
      expect(isAuthorized(header, 'abc')).toBe(false);
    }
  });
});
