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
  /** The next bytes, in order; called from the frame loop, so it must not hold on to a buffer it does not own. */
  write(bytes: Uint8Array): void;
  /** Every byte arrived and matched `sha256`: what the result carries for this blob. */
  close(sha256: string): Promise<Uint8Array | object>;
  /** The blob or its request failed: drop what was written. */
  abort(): void;
}
