import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AssetBackend, ByteRange, DirectUploads } from './assetBackend.js';
import { holdsBytes } from './assetDigest.js';

/** The bucket settings, as nodetool names them (ASSET_BUCKET, S3_*) with the AWS ones as fallbacks. */
export interface S3Settings {
  bucket: string;
  endpoint?: string;
  region: string;
  /** Explicit keys (S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY); without them, the SDK's own chain (AWS_*, a profile, an instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** ASSET_DOMAIN: assets are public at https://<domain>/<key>, and readers are sent there instead of a presigned URL. */
  publicDomain?: string;
}

/** Parts of a multipart upload: 16 MiB, so a 8 GiB asset is 512 parts (S3 allows 10,000). */
const PART_BYTES = 16 * 1024 * 1024;
/** A worker's upload up to this goes in one PUT; larger ones in parts of this size. */
const DIRECT_PART_BYTES = 32 * 1024 * 1024;

/**
 * Assets as objects of an S3-compatible bucket, `assets/<sha256>`. The SDK uploads a finished temporary
 * file (multipart above one part, never held whole); an upload that fails is aborted, so no half
 * object is ever visible. Reading hands out a presigned GET, or streams (with a range).
 */
export class S3AssetBackend implements AssetBackend {
  readonly kind = 's3';
  readonly client: S3Client;

  constructor(readonly settings: S3Settings) {
    const config: S3ClientConfig = {
      region: settings.region,
      // Since SDK 3.729 a presigned PUT carries the CRC32 of an empty body (it has none when signed), and
      // S3, R2 and MinIO refuse every real upload to it; checksums only where an operation requires one.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
    };
    this.client = new S3Client(config);
  }

  /**
   * Aborts multipart uploads of assets begun before `before` and never completed (a server that stopped
   * mid-upload, a worker that never finished): S3 keeps and bills their parts until someone does.
   */
  async abortStaleUploads(before: Date): Promise<number> {
    let aborted = 0;
    let marker: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (;;) {
      const page = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.settings.bucket, Prefix: 'assets/', ...marker }));
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId || !upload.Initiated || upload.Initiated >= before) continue;
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.settings.bucket, Key: upload.Key, UploadId: upload.UploadId }));
        aborted++;
      }
      if (!page.IsTruncated) return aborted;
      marker = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
    }
  }

  keyOf(id: string): string {
    return `assets/${id}`;
  }

  async commit(tempPath: string, id: string, contentType: string, size: number, recorded: boolean): Promise<string> {
    const key = this.keyOf(id);
    // An object already there (another node's same bytes, a crash, something planted) counts only once read
    // and checked; one this server recorded after checking it, by its size.
    if ((await this.stored(key, { id, size }, recorded)) !== 'same') {
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.settings.bucket, Key: key, Body: createReadStream(tempPath), ContentType: contentType },
        partSize: PART_BYTES,
        queueSize: 2,
        leavePartsOnError: false,
      });
      await upload.done();
    }
    await rm(tempPath, { force: true });
    return this.locationOf(key);
  }

  /** What is under `key`: nothing, the asset's bytes (its size by HEAD, then its SHA-256 read), or other bytes. */
  private async stored(key: string, expected: { id: string; size: number }, recorded = false): Promise<'absent' | 'same' | 'other'> {
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: key })).then(
      (found) => found,
      () => null,
    );
    if (!head) return 'absent';
    if (recorded) return head.ContentLength === expected.size ? 'same' : 'other';
    return (await holdsBytes(head.ContentLength, expected, () => this.read(this.locationOf(key)))) ? 'same' : 'other';
  }

  async read(location: string, range?: ByteRange): Promise<Readable> {
    const answer = await this.client.send(
      new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.keyIn(location), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
    );
    if (!(answer.Body instanceof Readable)) throw new Error(`the bucket answered ${location} without a body`);
    return answer.Body;
  }

  async remove(location: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.keyIn(location) }));
  }

  async presignGet(location: string, seconds: number, contentType: string, filename: string, disposition: 'inline' | 'attachment'): Promise<string | null> {
    const key = this.keyIn(location);
    // A public domain serves the object as it is: a download goes through the server, which can say so.
    if (this.settings.publicDomain) return disposition === 'inline' ? `https://${this.settings.publicDomain}/${key}` : null;
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.settings.bucket,
        Key: key,
        ResponseContentType: contentType,
        ResponseContentDisposition: `${disposition}; filename="${filename}"`,
      }),
      { expiresIn: seconds },
    );
  }

  /** Presigned uploads for a worker: one object, for minutes; the server checks what arrives before it keeps it. */
  readonly uploads: DirectUploads = {
    grant: async (id, size, seconds) => {
      const key = this.keyOf(id);
      // An object no record names: left by a crash between upload and record, being uploaded for the same
      // bytes by another node, or planted. The very bytes: nothing to upload. Anything else: deleted, then
      // uploaded anew, so one bad object cannot fail every run that makes those bytes.
      const there = await this.stored(key, { id, size });
      if (there === 'same') return { exists: true };
      if (there === 'other') await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      if (size <= DIRECT_PART_BYTES) {
        // Signed with If-None-Match: the URL creates the object once and can never replace it, not even
        // while it is still valid after the server checked what it holds. (A part's URL dies with its
        // upload, once completed.)
        const url = await getSignedUrl(this.client, new PutObjectCommand({ Bucket: this.settings.bucket, Key: key, IfNoneMatch: '*' }), { expiresIn: seconds });
        return { url, headers: { 'If-None-Match': '*' } };
      }
      const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.settings.bucket, Key: key }));
      const uploadId = created.UploadId as string;
      const parts = Math.ceil(size / DIRECT_PART_BYTES);
      const urls = await Promise.all(
        Array.from({ length: parts }, (_, index) =>
          getSignedUrl(this.client, new UploadPartCommand({ Bucket: this.settings.bucket, Key: key, UploadId: uploadId, PartNumber: index + 1 }), {
            expiresIn: seconds,
          }),
        ),
      );
      return { upload_id: uploadId, part_size: DIRECT_PART_BYTES, urls };
    },
    complete: async (id, upload) => {
      const key = this.keyOf(id);
      if (upload.upload_id) {
        await this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.settings.bucket,
            Key: key,
            UploadId: upload.upload_id,
            MultipartUpload: { Parts: (upload.etags ?? []).map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
          }),
        );
      }
      return this.locationOf(key);
    },
    abandon: async (id, upload) => {
      const key = this.keyOf(id);
      if (upload.upload_id)
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.settings.bucket, Key: key, UploadId: upload.upload_id })).catch(() => undefined);
      else await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key })).catch(() => undefined);
    },
  };

  locationOf(key: string): string {
    return `s3:${this.settings.bucket}/${key}`;
  }

  /** A stored location's key, in this backend's bucket; anything else is refused. */
  keyIn(location: string): string {
    const prefix = `s3:${this.settings.bucket}/`;
    if (!location.startsWith(prefix) || !/^assets\/[0-9a-f]{64}$/.test(location.slice(prefix.length)))
      throw new Error(`not an asset of the bucket ${this.settings.bucket}: ${JSON.stringify(location)}`);
    return location.slice(prefix.length);
  }
}
