import { isAssetRef } from '@nt/api-contract';
import { formatBytes } from '@nt/display';
import { isNpArray, npArrayToNumbers } from '@nt/protocol';
import { isOutputFile } from './outputFiles.js';

/** One readable line for a run output: embeddings get dimension and norm, long values are cut. */
export function formatValue(value: unknown): string {
  if (isNpArray(value)) {
    const numbers = npArrayToNumbers(value);
    const norm = Math.sqrt(numbers.reduce((sum, x) => sum + x * x, 0));
    const head = numbers
      .slice(0, 4)
      .map((x) => x.toFixed(4))
      .join(', ');
    return `np_array ${value.dtype} [${value.shape.join('×')}] norm ${norm.toFixed(4)} [${head}${numbers.length > 4 ? ', …' : ''}]`;
  }
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  if (isOutputFile(value)) return `${value.content_type}, ${formatBytes(value.size)} → ${value.path}`;
  if (isAssetRef(value)) return `${value.content_type}, ${formatBytes(value.size)} at ${value.url}`;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(6);
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
