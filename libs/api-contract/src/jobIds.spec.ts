import { describe, expect, it } from 'vitest';
import { newJobId } from './jobIds.js';

describe('newJobId', () => {
  it('says who minted it and is never the same twice', () => {
    expect(newJobId()).toMatch(/^job-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newJobId('cli')).toMatch(/^cli-/);
    expect(newJobId('ui')).toMatch(/^ui-/);
    expect(new Set(Array.from({ length: 1000 }, () => newJobId())).size).toBe(1000);
  });
});
