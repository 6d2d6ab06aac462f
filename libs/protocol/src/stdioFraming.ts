import { describeBytes } from './frameSize.js';

/** Length prefix of a stdio frame: u32 big-endian. */
export const STDIO_HEADER_BYTES = 4;

/** Raised when a stdio length prefix exceeds the ceiling; the stream cannot be resynchronised after it. */
export class OversizeFrameError extends RangeError {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`stdio frame of ${describeBytes(size)} exceeds the ${describeBytes(limit)} ceiling ` + `(often stray bytes on the worker's stdout)`);
    this.name = 'OversizeFrameError';
  }
}

export function encodeStdioFrame(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(STDIO_HEADER_BYTES + payload.byteLength);
  new DataView(frame.buffer).setUint32(0, payload.byteLength, false);
  frame.set(payload, STDIO_HEADER_BYTES);
  return frame;
}

/**
 * Splits a byte stream into stdio frame payloads. Chunks may split or merge
 * frames arbitrarily. An oversize prefix is rejected before any allocation,
 * and the decoder then stays failed: there is no way to find the next frame.
 */
export class StdioFrameDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private failure: OversizeFrameError | null = null;

  constructor(private readonly maxFrameSize: number) {}

  /** Feeds bytes and returns every payload completed by them, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failure) throw this.failure;
    if (chunk.byteLength === 0) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
    const frames: Uint8Array[] = [];
    while (this.buffered >= STDIO_HEADER_BYTES) {
      const length = this.peekLength();
      if (length > this.maxFrameSize) {
        this.failure = new OversizeFrameError(length, this.maxFrameSize);
        throw this.failure;
      }
      if (this.buffered < STDIO_HEADER_BYTES + length) break;
      this.take(STDIO_HEADER_BYTES);
      frames.push(this.take(length));
    }
    return frames;
  }

  /** Bytes of an unfinished frame; non-zero at end of stream means a truncated frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** The frame being received, once its header is in: payload bytes so far and the size it declared. */
  get partialFrame(): { received: number; expected: number } | null {
    if (this.buffered === 0) return null;
    if (this.buffered < STDIO_HEADER_BYTES) return { received: 0, expected: NaN };
    return { received: this.buffered - STDIO_HEADER_BYTES, expected: this.peekLength() };
  }

  private peekLength(): number {
    const head = this.chunks[0] as Uint8Array;
    const header = head.byteLength >= STDIO_HEADER_BYTES ? head : this.concat(STDIO_HEADER_BYTES, false);
    return new DataView(header.buffer, header.byteOffset, STDIO_HEADER_BYTES).getUint32(0, false);
  }

  private take(count: number): Uint8Array {
    const out = this.concat(count, true);
    this.buffered -= count;
    return out;
  }

  /** Copies the first `count` buffered bytes, consuming them when asked; one chunk is sliced without a copy. */
  private concat(count: number, consume: boolean): Uint8Array {
    const head = this.chunks[0] as Uint8Array;
    if (head.byteLength >= count) {
      const out = head.subarray(0, count);
      if (consume) {
        if (head.byteLength === count) this.chunks.shift();
        else this.chunks[0] = head.subarray(count);
      }
      return out;
    }
    const out = new Uint8Array(count);
    let filled = 0;
    let index = 0;
    while (filled < count) {
      const chunk = this.chunks[index] as Uint8Array;
      const part = Math.min(chunk.byteLength, count - filled);
      out.set(chunk.subarray(0, part), filled);
      filled += part;
      if (consume) {
        if (part === chunk.byteLength) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(part);
      } else {
        index++;
      }
    }
    return out;
  }
}
