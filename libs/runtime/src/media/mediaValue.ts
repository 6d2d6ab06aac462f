import { isAssetRef, type AssetRef } from '@nt/api-contract';

/** The media kinds a nodetool ref names in its `type`, and the types of the inputs that hold one. */
export const MEDIA_TYPES = ['image', 'audio', 'video', 'document'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export function isMediaType(type: string | undefined): type is MediaType {
  return (MEDIA_TYPES as readonly string[]).includes(type ?? '');
}

/** The media kind a declared property type holds (`image`), or a list of (`list[image]`); null for any other type. */
export function mediaTypeOf(declared: string): { type: MediaType; list: boolean } | null {
  const base = declared
    .replace(/\s/g, '')
    .replace(/\|None$/, '')
    .replace(/^Optional\[(.*)\]$/, '$1');
  if (isMediaType(base)) return { type: base, list: false };
  const item = /^list\[(.*)\]$/.exec(base)?.[1];
  return isMediaType(item) ? { type: item, list: true } : null;
}

/**
 * Where a media value (an image, a sound, a video, a document set on an input or a constant) comes
 * from, as the runner sees it:
 * - `asset`: one of this server's assets;
 * - `bytes`: given inline (a ref's `data`, a `data:` URI, bytes from the CLI's --input);
 * - `url`: an http(s) URL, fetched once per run by the runner;
 * - `empty`: nothing is set;
 * - `refused`: something it cannot reach, said why (another nodetool server's asset, another scheme).
 */
export type MediaSource =
  | { kind: 'asset'; ref: AssetRef }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'url'; url: string }
  | { kind: 'empty' }
  | { kind: 'refused'; reason: string };

/** Reads a value set for a media input or constant (nodetool's `{type, uri, asset_id, data}`, or ours). */
export function mediaSourceOf(value: unknown): MediaSource {
  if (value === null || value === undefined) return { kind: 'empty' };
  if (value instanceof Uint8Array) return { kind: 'bytes', bytes: value };
  if (isAssetRef(value)) return { kind: 'asset', ref: value };
  if (typeof value !== 'object' || Array.isArray(value)) return { kind: 'refused', reason: `it is ${describe(value)}, not a media value` };
  const ref = value as { uri?: unknown; asset_id?: unknown; data?: unknown };
  const uri = typeof ref.uri === 'string' ? ref.uri : '';
  if (typeof ref.asset_id === 'string' && ref.asset_id) {
    return {
      kind: 'refused',
      reason: `it names the asset ${JSON.stringify(ref.asset_id.slice(0, 80))}${uri ? ` (${JSON.stringify(uri.slice(0, 120))})` : ''} of the nodetool server it was made on, which this server does not have`,
    };
  }
  if (ref.data !== null && ref.data !== undefined) {
    const bytes = bytesOfData(ref.data);
    return bytes ? { kind: 'bytes', bytes } : { kind: 'refused', reason: 'its `data` is neither base64 text nor a list of bytes' };
  }
  if (!uri) return { kind: 'empty' };
  if (/^https?:\/\//i.test(uri)) return { kind: 'url', url: uri };
  if (/^data:/i.test(uri)) {
    const bytes = bytesOfDataUri(uri);
    return bytes ? { kind: 'bytes', bytes } : { kind: 'refused', reason: 'its `data:` URI is not base64' };
  }
  if (uri.startsWith('/api/storage/')) {
    return {
      kind: 'refused',
      reason: `it names ${JSON.stringify(uri.slice(0, 120))}, a file of the nodetool server it was made on, which this server does not have`,
    };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1];
  return {
    kind: 'refused',
    reason: `its URI ${JSON.stringify(uri.slice(0, 120))} ${scheme ? `is a ${scheme}: URI` : 'is not a URL'}; only http(s) URLs are fetched, by the runner and never by the worker`,
  };
}

/** `data` as nodetool writes it in a workflow: base64 text, or a list of byte values. */
function bytesOfData(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') return /^[A-Za-z0-9+/\s]*=*\s*$/.test(data) ? new Uint8Array(Buffer.from(data, 'base64')) : null;
  if (Array.isArray(data) && data.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255)) return Uint8Array.from(data as number[]);
  return null;
}

function bytesOfDataUri(uri: string): Uint8Array | null {
  const match = /^data:[^,]*?(;base64)?,(.*)$/is.exec(uri);
  if (!match) return null;
  const payload = match[2] as string;
  return match[1] ? bytesOfData(payload) : new TextEncoder().encode(decodeURIComponent(payload));
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  return `a ${typeof value}`;
}
