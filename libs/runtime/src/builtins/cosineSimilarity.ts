import { isNpArray, npArrayToNumbers } from '@nt/protocol';
import type { BuiltinNode } from '../nodeExecutor.js';
import { builtinMetadata } from './metadata.js';

/** Folds two embeddings (np_array values or number lists) into one score in [-1, 1]. */
export const cosineSimilarityNode: BuiltinNode = {
  metadata: builtinMetadata(
    'nodetool.vector.CosineSimilarity',
    'Cosine similarity of two vectors (np_array or list of numbers).',
    [
      ['a', 'np_array'],
      ['b', 'np_array'],
    ],
    [['output', 'float']],
  ),
  async run(values) {
    const a = toVector(values['a'], 'a');
    const b = toVector(values['b'], 'b');
    return { output: cosineSimilarity(a, b) };
  },
};

export function cosineSimilarity(a: number[], b: number[]): number {
  if (a.length !== b.length) throw new RangeError(`vectors differ in length: a has ${a.length}, b has ${b.length}`);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  if (normA === 0 || normB === 0) throw new RangeError('cosine similarity of a zero vector is undefined');
  return dot / Math.sqrt(normA * normB);
}

export function toVector(value: unknown, name: string): number[] {
  if (isNpArray(value)) return npArrayToNumbers(value);
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'number')) return value as number[];
  throw new TypeError(`input "${name}" must be an np_array or a list of numbers`);
}
