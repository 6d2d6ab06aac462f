import { describe, expect, it } from 'vitest';
import { numbersToNpArray } from '@nt/protocol';
import { checkSmokeResult } from './checkSmokeResult.js';

const vector = (seed: number) => Array.from({ length: 384 }, (_, i) => Math.sin(i + seed));

describe('checkSmokeResult', () => {
  it('passes two finite 384-dimension embeddings and a similarity above 0.5', () => {
    const check = checkSmokeResult({ embedding_a: numbersToNpArray(vector(0)), embedding_b: vector(0.1), similarity: 0.81 });
    expect(check).toMatchObject({ ok: true, failures: [], similarity: 0.81 });
    expect(check.embeddings['embedding_a']?.dimension).toBe(384);
  });

  it('names every failed expectation', () => {
    const check = checkSmokeResult({ embedding_a: vector(0).slice(0, 10), embedding_b: [...vector(0).slice(1), Number.NaN], similarity: 0.3 });
    expect(check.failures).toEqual([
      'embedding_a has 10 dimensions, expected 384',
      'embedding_b has non-finite values',
      'similarity 0.3000 is not above 0.5 for two paraphrases',
    ]);
    expect(checkSmokeResult({ embedding_a: vector(0), similarity: 1.5 }).failures).toEqual([
      'embedding_b is missing or not an embedding',
      'similarity 1.5 is outside (0, 1]',
    ]);
  });
});
