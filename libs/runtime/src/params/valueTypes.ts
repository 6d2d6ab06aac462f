import { isAssetRef } from '@nt/api-contract';
import { isMediaType } from '../media/mediaValue.js';

/** A value a type takes, normalised (a URL given for an image becomes nodetool's `{type, uri}`), or what the type takes instead. */
export type Accepted = { ok: true; value: unknown } | { ok: false; takes: string };

const yes = (value: unknown): Accepted => ({ ok: true, value });
const no = (takes: string): Accepted => ({ ok: false, takes });

/**
 * Checks a value given for a node's property (a run's params) against the nodetool type it declares:
 * scalars, lists, objects, media (an asset of this server, a nodetool ref, an http(s) or data: URL,
 * bytes) and a Hugging Face model (a ref or its repo id). A type it does not know takes anything.
 */
export function acceptValue(type: string, value: unknown): Accepted {
  const base = type
    .replace(/\s/g, '')
    .replace(/\|None$/, '')
    .replace(/^Optional\[(.*)\]$/, '$1');
  if (base === 'str') return typeof value === 'string' ? yes(value) : no('a text');
  if (base === 'int') return Number.isInteger(value) ? yes(value) : no('a whole number');
  if (base === 'float') return typeof value === 'number' && Number.isFinite(value) ? yes(value) : no('a number');
  if (base === 'bool') return typeof value === 'boolean' ? yes(value) : no('true or false');
  if (base.startsWith('dict')) return isPlainObject(value) ? yes(value) : no('an object');
  if (isMediaType(base)) return acceptMedia(base, value);
  if (base === 'hf.model') return acceptModel(value);
  const item = /^list\[(.*)\]$/.exec(base)?.[1];
  if (base === 'list' || item !== undefined) {
    const what = `a list${item && item !== 'any' ? ` of ${item}` : ''}`;
    if (!Array.isArray(value)) return no(what);
    if (!item || item === 'any') return yes(value);
    const items: unknown[] = [];
    for (const [index, entry] of value.entries()) {
      const accepted = acceptValue(item, entry);
      if (!accepted.ok) return no(`${what} (item ${index} is not: it takes ${accepted.takes})`);
      items.push(accepted.value);
    }
    return yes(items);
  }
  return yes(value);
}

const MEDIA_TAKES = (type: string) =>
  `${type === 'image' ? 'an image' : type === 'audio' ? 'a sound' : `a ${type}`}: an asset of this server, a nodetool ref {"type": "${type}", "uri": …}, an http(s) or data: URL, or a file (the CLI's --input)`;

function acceptMedia(type: string, value: unknown): Accepted {
  if (value instanceof Uint8Array || isAssetRef(value)) return yes(value);
  if (typeof value === 'string') return /^(https?:|data:)/i.test(value) ? yes({ type, uri: value }) : no(MEDIA_TAKES(type));
  if (isPlainObject(value) && ('uri' in value || 'data' in value || 'asset_id' in value)) {
    // A ref of another kind (an audio ref given for an image) is refused; a ref that says no kind is this one.
    const kind = value['type'];
    if (kind !== undefined && kind !== type && kind !== 'asset') return no(`${MEDIA_TAKES(type)}; it is a "${String(kind)}" ref`);
    return yes({ ...value, type });
  }
  return no(MEDIA_TAKES(type));
}

function acceptModel(value: unknown): Accepted {
  const takes = 'a Hugging Face model: its repo id ("owner/name") or {"type": "hf.model", "repo_id": …}';
  if (typeof value === 'string') return value.trim() ? yes({ type: 'hf.model', repo_id: value.trim() }) : no(takes);
  if (isPlainObject(value) && typeof value['repo_id'] === 'string' && value['repo_id']) return yes({ type: 'hf.model', ...value });
  return no(takes);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** A value as an error names it: "the text "ten"", "the number 3.5", "a list of 2", "bytes (120)". */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return `bytes (${value.byteLength})`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (isAssetRef(value)) return `the asset ${value.id.slice(0, 12)}…`;
  if (typeof value === 'object') {
    const kind = (value as { type?: unknown }).type;
    return typeof kind === 'string' ? `a "${kind.slice(0, 40)}" object` : 'an object';
  }
  return `a ${typeof value}`;
}
