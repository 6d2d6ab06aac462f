import type { Readable } from 'node:stream';
import parseRange from 'range-parser';
import type { apiContract } from '@nt/api-contract';
import { fileNameOf, type AssetStore } from '../assets/assetStore.js';
import { AssetTooLargeError } from '../assets/tempAssetFile.js';
import type { ServerConfig } from '../config.js';
import type { Handlers } from '../http/contractRoutes.js';
import { NotFoundError, PayloadTooLargeError, RangeNotSatisfiableError } from '../errors.js';

/** What the asset routes use: the store and its settings. */
export interface AssetDeps {
  assets: AssetStore;
  config: Pick<ServerConfig, 'assets'>;
}

/** Assets: their bytes, served with what a browser or a download tool needs, and uploads. */
export const assetHandlers: Handlers<typeof apiContract.assets, AssetDeps> = {
  get: async ({ app, params, query, request, reply }) => {
    const info = await app.assets.get(params.id);
    if (!info) throw new NotFoundError(`no asset ${params.id}`);
    const etag = `"${info.id}"`;
    // Content-addressed: an asset's bytes never change under its id.
    reply.header('etag', etag).header('cache-control', 'private, max-age=31536000, immutable').header('accept-ranges', 'bytes');
    if (request.headers['if-none-match'] === etag) return { status: 304, body: undefined };
    // ?download asks for a file to save, not a page to show: the redirect says so too.
    const disposition = query.download ? 'attachment' : 'inline';
    const direct = app.config.assets.serve === 'redirect' ? await app.assets.directUrl(info, app.config.assets.urlTtlSeconds, disposition) : null;
    if (direct) {
      reply.header('location', direct).header('cache-control', 'no-store');
      return { status: 302, body: undefined };
    }
    // Bytes a browser will not run as a page, whatever they are.
    reply
      .header('content-security-policy', "default-src 'none'; media-src 'self'; sandbox")
      .header('content-disposition', `${disposition}; filename="${fileNameOf(info)}"`)
      .type(info.content_type);
    const ranges = request.headers.range ? parseRange(info.size, request.headers.range, { combine: true }) : null;
    if (ranges === -1) {
      reply.header('content-range', `bytes */${info.size}`);
      throw new RangeNotSatisfiableError(`the range ${request.headers.range} is outside the asset's ${info.size} bytes`);
    }
    // One range is served as asked; none, several, or a malformed header get the whole asset (RFC 9110 allows it).
    const range = Array.isArray(ranges) && ranges.length === 1 ? ranges[0] : undefined;
    if (range) {
      reply.header('content-range', `bytes ${range.start}-${range.end}/${info.size}`).header('content-length', range.end - range.start + 1);
      return { status: 206, body: await app.assets.open(info, range) };
    }
    reply.header('content-length', info.size);
    return { status: 200, body: await app.assets.open(info) };
  },

  upload: async ({ app, query, request }) => {
    const declared = Number(request.headers['content-length'] ?? NaN);
    const limit = app.config.assets.limits.uploadBytes;
    if (declared > limit) throw new PayloadTooLargeError(`an upload of ${declared} bytes is over the ${limit}-byte limit (NODETOOL_MAX_UPLOAD_BYTES)`);
    try {
      const ref = await app.assets.ingest(request.body as Readable, { name: query.name ?? 'upload', claimedType: request.headers['content-type'] });
      return { status: 201, body: ref };
    } catch (error) {
      if (error instanceof AssetTooLargeError) throw new PayloadTooLargeError(error.message);
      throw error;
    }
  },
};
