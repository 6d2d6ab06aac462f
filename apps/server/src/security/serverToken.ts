import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'nodetool_session';
/** A login lasts a week; changing NODETOOL_SERVER_TOKEN ends every session at once. */
const SESSION_SECONDS = 7 * 24 * 3600;

/**
 * NODETOOL_SERVER_TOKEN checks. The token itself never leaves memory: a browser gets a session cookie
 * that proves it knew the token (a nonce and an HMAC of it keyed by the token), so the cookie reveals
 * nothing, needs no server-side store, survives a restart and dies with a token change.
 */
export class ServerToken {
  constructor(private readonly token: string) {}

  /** Constant-time: both sides are hashed to the same length first, so neither length nor content leaks. */
  matches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), digest(this.token));
  }

  /** `Authorization: Bearer <token>` or a valid session cookie. */
  authenticates(request: IncomingMessage): boolean {
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) return this.matches(header.slice(7).trim());
    const session = cookieValue(request, SESSION_COOKIE);
    return session !== null && this.sessionIsValid(session);
  }

  /** A Set-Cookie header for a new session: HttpOnly (no script reads it), SameSite=Strict (no other site sends it). */
  sessionCookie(secure: boolean): string {
    const nonce = randomBytes(18).toString('base64url');
    return `${SESSION_COOKIE}=${nonce}.${this.sign(nonce)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_SECONDS}${secure ? '; Secure' : ''}`;
  }

  private sessionIsValid(value: string): boolean {
    const [nonce, signature] = value.split('.');
    if (!nonce || !signature) return false;
    return timingSafeEqual(digest(signature), digest(this.sign(nonce)));
  }

  private sign(nonce: string): string {
    return createHmac('sha256', this.token).update(`nodetool-session:${nonce}`).digest('base64url');
  }
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function cookieValue(request: IncomingMessage, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}
