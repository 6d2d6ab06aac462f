/** A binary preview larger than this is not passed on: previews are glimpses, sent in every event that shows one. */
export const MAX_PREVIEW_BYTES = 2 * 1024 * 1024;

/**
 * A node's live preview as clients receive it: bytes (an image model's intermediate step) become a
 * data: URL typed by their first bytes, so a page shows them as they are; other values pass as they
 * are. A binary preview above MAX_PREVIEW_BYTES, or an empty one, is undefined (not shown).
 */
export function previewValue(value: unknown): unknown {
  if (!(value instanceof Uint8Array)) return value ?? undefined;
  if (value.byteLength === 0 || value.byteLength > MAX_PREVIEW_BYTES) return undefined;
  return `data:${imageTypeOf(value)};base64,${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}`;
}

/** The image formats previews come in, by their magic bytes; anything else is offered as plain bytes. */
function imageTypeOf(bytes: Uint8Array): string {
  const starts = (...magic: number[]) => magic.every((byte, index) => bytes[index] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes[8] === 0x57 && bytes[9] === 0x45 && bytes[10] === 0x42 && bytes[11] === 0x50) return 'image/webp';
  return 'application/octet-stream';
}
