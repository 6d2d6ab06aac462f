import { isAssetRef } from '@nt/api-contract';

/** How an output is drawn: embeddings as a plot, scores as a bar, text and images as themselves. */
export type OutputView =
  | { kind: 'embedding'; values: number[]; dimension: number; norm: number; dtype: string }
  | { kind: 'score'; value: number }
  | { kind: 'number'; value: number }
  | { kind: 'text'; value: string }
  | { kind: 'image'; src: string }
  /** An asset: an image is shown, audio and video play, anything else is a download; all from its URL. */
  | { kind: 'asset'; media: 'image' | 'audio' | 'video' | 'file'; src: string; contentType: string; size: number }
  | { kind: 'json'; value: string };

export function viewOf(value: unknown): OutputView {
  if (isNpArrayJson(value)) {
    const norm = Math.sqrt(value.data.reduce((sum, x) => sum + x * x, 0));
    return { kind: 'embedding', values: value.data, dimension: value.data.length, norm, dtype: value.dtype };
  }
  if (Array.isArray(value) && value.length > 8 && value.every((x) => typeof x === 'number')) {
    return { kind: 'embedding', values: value, dimension: value.length, norm: Math.sqrt(value.reduce((s, x) => s + x * x, 0)), dtype: 'number' };
  }
  if (typeof value === 'number') return value >= -1 && value <= 1 && !Number.isInteger(value) ? { kind: 'score', value } : { kind: 'number', value };
  if (typeof value === 'string') return { kind: 'text', value };
  if (isImageRef(value)) return { kind: 'image', src: value.uri };
  if (isAssetRef(value)) {
    const family = value.content_type.split('/')[0];
    const media = family === 'image' || family === 'audio' || family === 'video' ? family : 'file';
    return { kind: 'asset', media, src: value.url, contentType: value.content_type, size: value.size };
  }
  return { kind: 'json', value: JSON.stringify(value, null, 2) };
}

function isNpArrayJson(value: unknown): value is { type: 'np_array'; dtype: string; shape: number[]; data: number[] } {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'np_array' && Array.isArray((value as { data?: unknown }).data);
}

function isImageRef(value: unknown): value is { type: 'image'; uri: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'image' &&
    typeof (value as { uri?: unknown }).uri === 'string' &&
    (value as { uri: string }).uri.startsWith('data:')
  );
}
