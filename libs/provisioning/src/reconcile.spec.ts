import { describe, expect, it } from 'vitest';
import { orphansAmong } from './reconcile.js';

describe('the reconciler', () => {
  it('finds our instances the server does not know, not others, not terminated ones', () => {
    const instance = (id: string, name: string, state: 'running' | 'terminated' = 'running') => ({
      provider: 'runpod',
      id,
      name,
      state,
      pricePerHour: 1,
      gpu: null,
    });
    const listed = [
      instance('a', 'nodetool-a100-1'),
      instance('b', 'nodetool-a100-2'),
      instance('c', 'my-notebook'),
      instance('d', 'nodetool-old', 'terminated'),
    ];
    expect(orphansAmong(listed, new Set(['runpod:a'])).map((found) => found.id)).toEqual(['b']);
  });
});
