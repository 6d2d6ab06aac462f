import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SessionRecords, type Db } from '@nt/data';
import type { ServerToken } from './serverToken.js';

export const SESSION_COOKIE = 'nodetool_session';

/**
 * Browser sessions, kept in the database: a session expires on the server (NODETOOL_SESSION_DAYS), survives
 * a restart, and logout ends it there, not only in the browser. The cookie is `<id>.<secret>`; the
 * database holds only an HMAC of it keyed by the server token, so a copy of the database logs nobody in,
 * and changing NODETOOL_SERVER_TOKEN ends every session at once.
 */
export class SessionStore {
  private readonly records: SessionRecords;

  constructor(
    db: Db,
    private readonly token: ServerToken,
    readonly lifetimeMs: number,
  ) {
    this.records = new SessionRecords(db);
  }

  /** A new session; its cookie value is shown once, to the browser that logged in. */
  async create(now = Date.now()): Promise<{ cookie: string; maxAgeSeconds: number }> {
    await this.purgeExpired(now);
    const id = randomBytes(12).toString('base64url');
    const cookie = `${id}.${randomBytes(24).toString('base64url')}`;
    await this.records.insert(id, this.digest(cookie), new Date(now).toISOString(), now + this.lifetimeMs);
    return { cookie, maxAgeSeconds: Math.floor(this.lifetimeMs / 1000) };
  }

  async isValid(cookie: string | undefined, now = Date.now()): Promise<boolean> {
    const id = idOf(cookie);
    if (!id || !cookie) return false;
    const row = await this.records.get(id);
    if (!row) return false;
    if (row.expiresAt <= now) {
      await this.records.delete(id);
      return false;
    }
    return timingSafeEqual(Buffer.from(this.digest(cookie)), Buffer.from(row.secretDigest));
  }

  /** Logout: the session ends here, whoever holds a copy of the cookie. */
  async revoke(cookie: string | undefined): Promise<void> {
    const id = idOf(cookie);
    if (id && (await this.isValid(cookie))) await this.records.delete(id);
  }

  async purgeExpired(now = Date.now()): Promise<number> {
    return this.records.purgeExpired(now);
  }

  private digest(cookie: string): string {
    return createHmac('sha256', this.token.value).update(`nodetool-session:${cookie}`).digest('base64url');
  }
}

function idOf(cookie: string | undefined): string | null {
  const match = /^([\w-]{16})\.[\w-]{32}$/.exec(cookie ?? '');
  return match ? (match[1] as string) : null;
}
