import { z } from 'zod';
import { AssetRef } from '../../assets.js';
import { route } from '../route.js';

const byId = z.object({ id: z.string().regex(/^[0-9a-f]{64}$/, { error: 'an asset id is the SHA-256 of its bytes, 64 hex digits' }) });

export const assets = {
  get: route({
    method: 'GET',
    path: '/api/assets/:id',
    access: 'token',
    summary:
      'an asset’s bytes with its Content-Type, Content-Length, a strong ETag and Range (206); `?download=1` as a file; from a bucket, a short-lived redirect or the bytes streamed (`NODETOOL_ASSET_SERVE`)',
    params: byId,
    query: z.object({ download: z.stringbool({ error: '"download" must be 1 or 0' }).optional() }),
    replies: { 200: null, 206: null, 302: null, 304: null },
    errors: { 404: 'no such asset', 416: 'a range outside the asset' },
    response: 'binary',
  }),
  upload: route({
    method: 'POST',
    path: '/api/assets',
    access: 'token',
    summary:
      'upload a file as the raw body (any media type but a form’s; `?name=`), streamed to storage up to `NODETOOL_MAX_UPLOAD_BYTES`; answers its asset reference, which a run can take as an input',
    query: z.object({ name: z.string().max(200).optional() }),
    replies: { 201: AssetRef },
    errors: { 413: 'over NODETOOL_MAX_UPLOAD_BYTES', 415: 'a form or text/plain body (what another site could send)' },
    bodyType: 'binary',
  }),
};
