import { isNpArray, npArrayToNumbers } from '@nt/protocol';

export const EMBEDDING_DIMENSION = 384;
/** These two sentences paraphrase each other; MiniLM puts them well above this. */
export const MIN_SIMILARITY = 0.5;

export interface SmokeCheck {
  ok: boolean;
  /** Each failed expectation, in words. */
  failures: string[];
  embeddings: Record<string, { dimension: number; norm: number; head: number[] }>;
  similarity: number | null;
}

/**
 * What the smoke run must show: two finite 384-dimension embeddings and a
 * similarity in (0, 1] above 0.5. Accepts np_array values or plain number lists.
 */
export function checkSmokeResult(outputs: Record<string, unknown>): SmokeCheck {
  const failures: string[] = [];
  const embeddings: SmokeCheck['embeddings'] = {};
  for (const name of ['embedding_a', 'embedding_b']) {
    const vector = asNumbers(outputs[name]);
    if (!vector) {
      failures.push(`${name} is missing or not an embedding`);
      continue;
    }
    if (vector.length !== EMBEDDING_DIMENSION) failures.push(`${name} has ${vector.length} dimensions, expected ${EMBEDDING_DIMENSION}`);
    const finite = vector.every(Number.isFinite);
    if (!finite) failures.push(`${name} has non-finite values`);
    const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
    if (finite && norm === 0) failures.push(`${name} is a zero vector`);
    embeddings[name] = { dimension: vector.length, norm, head: vector.slice(0, 4) };
  }
  const similarity = typeof outputs['similarity'] === 'number' ? outputs['similarity'] : null;
  if (similarity === null) failures.push('similarity is missing or not a number');
  else if (!(similarity > 0 && similarity <= 1 + 1e-9)) failures.push(`similarity ${similarity} is outside (0, 1]`);
  else if (similarity <= MIN_SIMILARITY) failures.push(`similarity ${similarity.toFixed(4)} is not above ${MIN_SIMILARITY} for two paraphrases`);
  return { ok: failures.length === 0, failures, embeddings, similarity };
}

function asNumbers(value: unknown): number[] | null {
  if (isNpArray(value)) return npArrayToNumbers(value);
  if (value && typeof value === 'object' && Array.isArray((value as { data?: unknown }).data)) return (value as { data: number[] }).data;
  if (Array.isArray(value) && value.every((x) => typeof x === 'number')) return value;
  return null;
}
