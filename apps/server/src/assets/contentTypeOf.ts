import { fileTypeFromBuffer } from 'file-type';

/** What the worker's internal blob keys say about their media (image_…, audio_…, video_…, model3d_…). */
const BY_KEY_PREFIX: Array<[RegExp, string]> = [
  [/^image_/, 'image/png'],
  [/^audio_/, 'audio/wav'],
  [/^video_/, 'video/mp4'],
  [/^model3d_/, 'model/gltf-binary'],
];

/**
 * An asset's media type from its first bytes (magic numbers, via file-type), else from what its name
 * says, else a caller's claim, else plain bytes. The bytes win: a client cannot make the server serve
 * an HTML page as an image's type, or the other way round.
 */
export async function contentTypeOf(head: Uint8Array, hints: { name?: string; claimed?: string } = {}): Promise<string> {
  const sniffed = await fileTypeFromBuffer(head);
  if (sniffed) return sniffed.mime;
  const byKey = BY_KEY_PREFIX.find(([pattern]) => hints.name && pattern.test(hints.name));
  if (byKey) return byKey[1];
  // A claim is kept only for types a browser will not run: text and data, never HTML or script.
  if (hints.claimed && /^(text\/plain|text\/csv|application\/json|application\/octet-stream)(;|$)/i.test(hints.claimed)) return hints.claimed.toLowerCase();
  return 'application/octet-stream';
}
