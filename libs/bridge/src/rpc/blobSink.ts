/**
 * Where a result blob's bytes go as they arrive (protocol 5's blob.start / blob.chunk / blob.end).
 * The default keeps them in memory (the value is the bytes); the server streams them into its asset
 * store instead, so a result of any size never sits whole in its memory (the value is an asset
 * reference). The assembler has checked offsets, sizes and the SHA-256 before a writer hears of it.
 */
export interface BlobSink {
  /** A blob of `size` bytes begins; throw to refuse it (its error fails the request). */
  open(name: string, size: number): BlobWriter;
}

export interface BlobWriter {
  /**
   * The next bytes, in order; they are the writer's to keep (a view of a frame no one reuses). A promise
   * means the writer is behind: the connection stops reading from the worker until it settles.
   */
  write(bytes: Uint8Array): void | Promise<void>;
  /** Every byte arrived and matched `sha256`: what the result carries for this blob. */
  close(sha256: string): Promise<Uint8Array | object>;
  /** The blob or its request failed: drop what was written. */
  abort(): void;
}

/**
 * A sink whose storage the worker can write to itself (the server's bucket): results above `minBytes`
 * are uploaded by the worker through presigned URLs instead of crossing the connection, so no hop
 * between server and worker ever carries them (protocol extension "offload-v1", apps/worker/compat).
 */
export interface OffloadSink extends BlobSink {
  offload: {
    minBytes: number;
    /** The worker asks to upload a result: where it may (presigned URLs), or that it is kept already. */
    grant(request: OffloadRequest): Promise<OffloadGrant>;
    /** The worker says it uploaded it: checked (size, SHA-256) and kept, or refused. */
    complete(report: OffloadReport): Promise<object>;
  };
}

export interface OffloadRequest {
  name: string;
  size: number;
  sha256: string;
}

/**
 * One PUT URL (with the headers it was signed with, which the worker sends as given), or one per part
 * (a multipart upload, part_size bytes each but the last); `exists`: nothing to upload.
 */
export type OffloadGrant = { exists: true } | { url: string; headers?: Record<string, string> } | { upload_id: string; part_size: number; urls: string[] };

export interface OffloadReport extends OffloadRequest {
  /** The ETag of each part, in order (multipart uploads). */
  etags?: string[];
  upload_id?: string;
}

/** A blob kept whole in memory: `size` bytes, filled as its chunks arrive (the default sink's writer). */
export function memoryWriter(size: number): BlobWriter {
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  return {
    write: (chunk) => {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    },
    close: async () => bytes,
    abort: () => undefined,
  };
}

export function isOffloadSink(sink: BlobSink | undefined): sink is OffloadSink {
  return sink !== undefined && 'offload' in sink;
}
