import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** The first bytes a digest keeps: enough for every signature file-type knows (the server sniffs types from them). */
export const SNIFF_BYTES = 4100;

/** What stored bytes are: their size, SHA-256 (hex) and first bytes (to recognise their type). */
export interface AssetDigest {
  size: number;
  sha256: string;
  head: Buffer;
}

/** The size, SHA-256 and first bytes of a stream, read once in constant memory. */
export async function digestOf(stream: Readable): Promise<AssetDigest> {
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let size = 0;
  let headSize = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.byteLength;
    if (headSize < SNIFF_BYTES) {
      head.push(chunk.subarray(0, SNIFF_BYTES - headSize));
      headSize += Math.min(chunk.byteLength, SNIFF_BYTES - headSize);
    }
  }
  return { size, sha256: hash.digest('hex'), head: Buffer.concat(head) };
}

/**
 * Whether what is stored under a content address is those bytes: its size first (no read when it is
 * off), then its SHA-256, read. Nothing found under an address is trusted unread.
 */
export async function holdsBytes(size: number | undefined, expected: { id: string; size: number }, open: () => Promise<Readable>): Promise<boolean> {
  if (size !== undefined && size !== expected.size) return false;
  const found = await digestOf(await open());
  return found.size === expected.size && found.sha256 === expected.id;
}
