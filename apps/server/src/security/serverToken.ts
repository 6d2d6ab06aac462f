import { createHash, timingSafeEqual } from 'node:crypto';

/** NODETOOL_SERVER_TOKEN. The token never leaves memory: browsers get a session (sessions.ts) instead. */
export class ServerToken {
  constructor(readonly value: string) {}

  /** Constant-time: both sides are hashed to the same length first, so neither length nor content leaks. */
  matches(candidate: string): boolean {
    return timingSafeEqual(sha256(candidate), sha256(this.value));
  }
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
