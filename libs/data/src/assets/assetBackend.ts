import type { Readable } from 'node:stream';

/** A byte range, both ends included (as HTTP Range has it). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where assets' bytes live: a folder (the default) or an S3-compatible bucket. An asset's record
 * remembers its location, so assets stay readable when the server's storage setting changes.
 */
export interface AssetBackend {
  /** "local" or "s3": the prefix of the locations it makes. */
  readonly kind: string;
  /**
   * Makes the finished temporary file (`size` bytes, SHA-256 `id`) the asset `id` (a rename, or an
   * upload); answers its location. Something already stored under that name is kept only when it is
   * those bytes (read and checked; `recorded`: this server checked it there before, so its size
   * suffices); anything else there is replaced by the file.
   */
  commit(tempPath: string, id: string, contentType: string, size: number, recorded: boolean): Promise<string>;
  read(location: string, range?: ByteRange): Promise<Readable>;
  remove(location: string): Promise<void>;
  /**
   * A short-lived URL that reads the asset straight from storage (S3), served `inline` or as an
   * `attachment` (a download); null when storage cannot say which (a public domain serves as it likes).
   */
  presignGet?(location: string, seconds: number, contentType: string, filename: string, disposition: 'inline' | 'attachment'): Promise<string | null>;
  /** Storage a worker can write to itself through presigned URLs (S3): large results skip the connection. */
  uploads?: DirectUploads;
}

/** Uploads a worker makes itself, to the place the asset `id` will live. */
export interface DirectUploads {
  /**
   * Presigned PUT URLs for `size` bytes: one, or one per part of a multipart upload. `exists`: storage
   * holds those very bytes there already (read and checked); other bytes found there are deleted first.
   */
  grant(
    id: string,
    size: number,
    seconds: number,
  ): Promise<{ exists: true } | { url: string; headers?: Record<string, string> } | { upload_id: string; part_size: number; urls: string[] }>;
  /** Completes a multipart upload from its parts' ETags; a single PUT needs nothing. */
  complete(id: string, upload: { upload_id?: string; etags?: string[] }): Promise<string>;
  /** Gives up an upload that was never completed (the run went away); a completed one that failed its check is removed instead. */
  abandon(id: string, upload: { upload_id?: string }): Promise<void>;
}
