import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { assetUrl, type AssetRef } from '@nt/api-contract';
import { memoryWriter, type BlobSink, type BlobWriter, type OffloadGrant, type OffloadReport, type OffloadSink } from '@nt/bridge';
import type { RunAssets } from '@nt/runtime';
import { type AssetBackend, type AssetHolder, type AssetInfo, AssetRecords, type ByteRange, type Db, digestOf, type DirectUploads } from '@nt/data';
import { contentTypeOf } from './contentTypeOf.js';
import { describeSize, RunAllowance } from './runAllowance.js';
import { TempAssetFile } from './tempAssetFile.js';

export interface AssetLimits {
  /** NODETOOL_MAX_ASSET_BYTES: one asset. */
  assetBytes: number;
  /** NODETOOL_MAX_RUN_ASSET_BYTES: every asset one run makes. */
  runBytes: number;
  /** NODETOOL_MAX_UPLOAD_BYTES: one upload. */
  uploadBytes: number;
  /** NODETOOL_ASSET_INLINE_MAX_BYTES: binary results up to this size stay inline (bytes in the record), larger become assets. */
  inlineMaxBytes: number;
  /** NODETOOL_OFFLOAD_MIN_BYTES: with a bucket, results and inputs from this size travel through it, not the worker link. */
  offloadMinBytes: number;
}

export interface AssetStoreOptions {
  /** Where new assets go. */
  backend: AssetBackend;
  /** Every backend assets may live in, by kind, for reading and deleting (local always). */
  backends: AssetBackend[];
  /** Where assets are written before they are committed. */
  tmpDir: string;
  limits: AssetLimits;
  /** How long a presigned URL a worker gets works (NODETOOL_ASSET_URL_TTL_SECONDS). */
  urlTtlSeconds: number;
}

/**
 * Binary results and uploads as assets: content-addressed (SHA-256), typed by their bytes, streamed to
 * storage as they arrive and never held whole, and recorded with the run and node that made them (or
 * as an upload). Job records, events and the API carry AssetRef values; the bytes are served by
 * GET /api/assets/:id.
 */
export class AssetStore {
  readonly records: AssetRecords;
  private readonly byKind: Map<string, AssetBackend>;
  /** Assets being deleted: a commit of the same bytes waits for the deletion, so it never loses its file. */
  private readonly deleting = new Map<string, Promise<void>>();

  constructor(
    db: Db,
    readonly options: AssetStoreOptions,
  ) {
    this.records = new AssetRecords(db);
    this.byKind = new Map(options.backends.map((backend) => [backend.kind, backend]));
  }

  /** What a run's nodes write results into, and read asset inputs from. */
  forRun(jobId: string): RunAssets {
    const allowance = new RunAllowance(this.options.limits);
    return {
      // Stream items waiting on disk for a slow node count against the same allowance while they wait.
      spill: allowance.spillSpace(this.options.tmpDir),
      sinkFor: (nodeId) => this.sinkFor({ jobId, nodeId }, allowance),
      read: (ref) => this.readAll(ref.id),
      keep: (nodeId, name, body, hints) => this.keepMedia({ jobId, nodeId, name }, allowance, body, hints.contentType ?? undefined),
      has: async (ref) => (await this.records.get(ref.id)) !== null,
      inputUrl: async (ref) => {
        const info = await this.records.get(ref.id);
        if (!info || info.size < this.options.limits.offloadMinBytes) return null;
        return this.directUrl(info, this.options.urlTtlSeconds, 'inline');
      },
    };
  }

  /** Where a node's results go: small ones in the record, larger ones into the store; with a bucket, the worker may upload them itself. */
  private sinkFor(node: { jobId: string; nodeId: string }, allowance: RunAllowance): BlobSink {
    const { jobId, nodeId } = node;
    const { limits } = this.options;
    const sink: BlobSink = {
      open: (name, size) => {
        allowance.count(nodeId, name, size);
        if (size <= limits.inlineMaxBytes) return memoryWriter(size); // small: kept in the record, as before the asset store
        return this.assetWriter({ jobId, nodeId, name }, size);
      },
    };
    const uploads = this.options.backend.uploads;
    if (!uploads) return sink;
    const granted = new Map<string, { upload_id?: string; recorded?: boolean }>();
    const offloading: OffloadSink = {
      ...sink,
      offload: {
        minBytes: limits.offloadMinBytes,
        grant: async ({ name, size, sha256 }): Promise<OffloadGrant> => {
          allowance.count(nodeId, name, size);
          if (await this.records.get(sha256)) {
            granted.set(name, { recorded: true });
            return { exists: true };
          }
          const grant = await uploads.grant(sha256, size, this.options.urlTtlSeconds);
          granted.set(name, 'upload_id' in grant ? { upload_id: grant.upload_id } : {});
          return grant;
        },
        complete: async (report) => {
          const grant = granted.get(report.name);
          granted.delete(report.name);
          if (!grant) throw new Error(`the worker reported an upload of "${report.name}" it was never granted`);
          return this.refOf(await this.keepUploaded({ jobId, nodeId, name: report.name }, report, grant));
        },
      },
    };
    return offloading;
  }

  /** A workflow's media (an image URL's bytes as they arrive, inline data): an asset of the run, under the same limits as its results. */
  private async keepMedia(
    holder: AssetHolder & { nodeId: string },
    allowance: RunAllowance,
    body: Readable | Uint8Array,
    claimed: string | undefined,
  ): Promise<AssetRef> {
    const { nodeId, name } = holder;
    const limit = this.options.limits.assetBytes;
    const file = new TempAssetFile(this.options.tmpDir, {
      bytes: limit,
      describe: (bytes) =>
        `the "${name}" of node ${nodeId} is over ${describeSize(limit)} (${describeSize(bytes)} so far), the most an asset may be (NODETOOL_MAX_ASSET_BYTES)`,
    });
    await fill(file, body);
    try {
      allowance.count(nodeId, name, file.size);
    } catch (error) {
      file.discard();
      throw error;
    }
    return this.refOf(await this.commit(file, holder, { name, claimed }));
  }

  /**
   * A result the worker uploaded itself: completed, then checked against what the worker said (size
   * and SHA-256, read back from storage), and kept; anything else is deleted and the node fails.
   */
  private async keepUploaded(holder: AssetHolder, report: OffloadReport, grant: { upload_id?: string; recorded?: boolean }): Promise<AssetInfo> {
    const existing = await this.records.get(report.sha256);
    if (grant.recorded && existing) return this.records.keep(existing, holder);
    const uploads = this.options.backend.uploads as DirectUploads;
    let location: string | null = null;
    try {
      location = await uploads.complete(report.sha256, { upload_id: grant.upload_id, etags: report.etags });
      const { size, sha256, head } = await digestOf(await this.options.backend.read(location));
      if (size !== report.size || sha256 !== report.sha256)
        throw new Error(
          `the upload of "${report.name}" is ${size} bytes with SHA-256 ${sha256}, not the ${report.size} bytes and ${report.sha256} the worker reported`,
        );
      const contentType = await contentTypeOf(head, { name: report.name });
      return this.records.keep({ id: sha256, content_type: contentType, size, location, created_at: new Date().toISOString() }, holder);
    } catch (error) {
      // Completed but wrong: the object is deleted (an abort no longer can), so nothing wrong stays under the address.
      if (location === null) await uploads.abandon(report.sha256, { upload_id: grant.upload_id });
      else
        await this.options.backend.remove(location).catch((removal: Error) => {
          throw new Error(`${(error as Error).message}; and the object it left could not be deleted: ${removal.message}`, { cause: error });
        });
      throw error;
    }
  }

  /** An upload: the body streamed to storage, refused past NODETOOL_MAX_UPLOAD_BYTES. */
  async ingest(body: Readable, meta: { name: string; claimedType?: string }): Promise<AssetRef> {
    const limit = this.options.limits.uploadBytes;
    const file = new TempAssetFile(this.options.tmpDir, {
      bytes: limit,
      describe: (bytes) => `the upload is over ${describeSize(limit)} (NODETOOL_MAX_UPLOAD_BYTES); ${describeSize(bytes)} arrived before it was refused`,
    });
    await fill(file, body);
    return this.refOf(await this.commit(file, { jobId: null, nodeId: null, name: meta.name }, { claimed: meta.claimedType }));
  }

  /** Bytes the server already holds (an old inline value being moved): written out like any asset. */
  async importBytes(bytes: Uint8Array, holder: AssetHolder): Promise<AssetRef> {
    const file = new TempAssetFile(this.options.tmpDir, { bytes: Number.MAX_SAFE_INTEGER, describe: () => '' });
    await fill(file, bytes);
    return this.refOf(await this.commit(file, holder, { name: holder.name }));
  }

  async get(id: string): Promise<AssetInfo | null> {
    return this.records.get(id);
  }

  async open(info: AssetInfo, range?: ByteRange): Promise<Readable> {
    return this.backendOf(info.location).read(info.location, range);
  }

  /** A short-lived direct URL to the asset's bytes when its storage offers one (S3), else null. */
  async directUrl(info: AssetInfo, seconds: number, disposition: 'inline' | 'attachment'): Promise<string | null> {
    const backend = this.backendOf(info.location);
    return backend.presignGet ? backend.presignGet(info.location, seconds, info.content_type, fileNameOf(info), disposition) : null;
  }

  refOf(info: AssetInfo): AssetRef {
    return { type: 'asset', id: info.id, content_type: info.content_type, size: info.size, url: assetUrl(info.id) };
  }

  /** Deletes the assets nobody holds any more (their runs were deleted), from the database and storage. */
  async deleteUnheld(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const batch = await this.records.unheld(200);
      if (!batch.length) return deleted;
      for (const info of batch) {
        // Marked as being deleted before its record goes: a commit of the same bytes meanwhile waits, then writes its file anew.
        const removal = this.forgetAndRemove(info).finally(() => this.deleting.delete(info.id));
        this.deleting.set(
          info.id,
          removal.then(() => undefined),
        );
        if (await removal) deleted++;
      }
    }
  }

  /** Forgets the asset if still nobody holds it, then deletes its bytes; false when someone took it meanwhile. */
  private async forgetAndRemove(info: AssetInfo): Promise<boolean> {
    if (!(await this.records.forget(info.id))) return false;
    await this.backendOf(info.location).remove(info.location);
    return true;
  }

  private async readAll(id: string): Promise<Uint8Array> {
    const info = await this.records.get(id);
    if (!info) throw new Error(`no asset ${id}`);
    const chunks: Buffer[] = [];
    for await (const chunk of await this.open(info)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  private assetWriter(holder: AssetHolder, size: number): BlobWriter {
    // The bridge checks a result blob's SHA-256 as it arrives: hashing it here again would halve the throughput.
    const file = new TempAssetFile(
      this.options.tmpDir,
      { bytes: size, describe: () => `the result "${holder.name}" is larger than it declared` },
      { hashed: false },
    );
    return {
      write: (bytes) => file.write(bytes),
      close: async (sha256) => {
        const info = await this.commit(file, holder, { name: holder.name }, sha256);
        return this.refOf(info);
      },
      abort: () => file.discard(),
    };
  }

  private async commit(file: TempAssetFile, holder: AssetHolder, hints: { name?: string; claimed?: string }, checkedSha256?: string): Promise<AssetInfo> {
    let finished: { sha256: string; head: Buffer };
    try {
      finished = await file.finish(checkedSha256);
    } catch (error) {
      file.discard();
      throw error;
    }
    const { sha256, head } = finished;
    try {
      const contentType = await contentTypeOf(head, hints);
      await this.deleting.get(sha256);
      const recorded = (await this.records.get(sha256))?.location.startsWith(`${this.options.backend.kind}:`) ?? false;
      const location = await this.options.backend.commit(file.path, sha256, contentType, file.size, recorded);
      return this.records.keep({ id: sha256, content_type: contentType, size: file.size, location, created_at: new Date().toISOString() }, holder);
    } catch (error) {
      file.discard();
      throw error;
    }
  }

  private backendOf(location: string): AssetBackend {
    const backend = this.byKind.get(location.slice(0, location.indexOf(':')));
    if (!backend) throw new Error(`the asset lives in ${location.slice(0, location.indexOf(':'))} storage, which this server is not configured for`);
    return backend;
  }
}

/** Writes a body into an asset file at the disk's pace (the body is read no faster than it is written); on failure the file is gone. */
async function fill(file: TempAssetFile, body: Readable | Uint8Array): Promise<void> {
  try {
    if (body instanceof Uint8Array) {
      await file.write(body);
      return;
    }
    await pipeline(
      body,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          try {
            const wait = file.write(chunk);
            if (wait) wait.then(() => done(), done);
            else done();
          } catch (error) {
            done(error as Error);
          }
        },
      }),
    );
  } catch (error) {
    file.discard();
    throw error;
  }
}

/** A download name: the asset's id and an extension its type suggests. */
export function fileNameOf(info: AssetInfo): string {
  const extension = info.content_type.split('/')[1]?.split(/[;+]/)[0]?.replace('jpeg', 'jpg').replace('octet-stream', 'bin') ?? 'bin';
  return `${info.id.slice(0, 12)}.${extension}`;
}
