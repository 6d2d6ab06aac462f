import { z } from 'zod';

/**
 * A binary value kept as an asset (an image, audio, video, a file): what job records, run events and
 * the API carry instead of its bytes. `url` is where the server serves it (GET /api/assets/:id).
 */
export const AssetRef = z.object({
  type: z.literal('asset'),
  /** The SHA-256 of its bytes, in hex: the same bytes are one asset. */
  id: z.string().regex(/^[0-9a-f]{64}$/),
  content_type: z.string(),
  size: z.number().int().nonnegative(),
  url: z.string(),
});
export type AssetRef = z.infer<typeof AssetRef>;

export function isAssetRef(value: unknown): value is AssetRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'asset' &&
    typeof (value as { id?: unknown }).id === 'string' &&
    /^[0-9a-f]{64}$/.test((value as { id: string }).id)
  );
}

/** The path the server serves an asset at. */
export const assetUrl = (id: string) => `/api/assets/${id}`;
