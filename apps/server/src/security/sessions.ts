import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/database.js';
import type { ServerToken } from './serverToken.js';

export const SESSION_COOKIE = 'nodetool_session';

/**
 * Browser sessions, kept in SQLite: a session expires on the server (NODETOOL_SESSION_DAYS), survives
 * a restart, and logout ends it there, not only in the browser. The cookie is `<id>.<secret>`; the
 * database holds only an HMAC of it keyed by the server token, so a copy of the database logs nobody in,
 * and changing NODETOOL_SERVER_TOKEN ends every session at once.
 */
export class SessionStore {
  private readonly statements;

  constructor(
    db: Db,
    private readonly token: ServerToken,
    readonly lifetimeMs: number,
  ) {
    this.statements = {
      insert: db.prepare('INSERT INTO sessions (id, secret_digest, created_at, expires_at) VALUES (?, ?, ?, ?)'),
      get: db.prepare('SELECT secret_digest, expires_at FROM sessions WHERE id = ?'),
      delete: db.prepare('DELETE FROM sessions WHERE id = ?'),
      purge: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    };
    this.purgeExpired();
  }

  /** A new session; its cookie value is shown once, to the browser that logged in. */
  create(now = Date.now()): { cookie: string; maxAgeSeconds: number } {
    this.purgeExpired(now);
    const id = randomBytes(12).toString('base64url');
    const cookie = `${id}.${randomBytes(24).toString('base64url')}`;
    this.statements.insert.run(id, this.digest(cookie), new Date(now).toISOString(), now + this.lifetimeMs);
    return { cookie, maxAgeSeconds: Math.floor(this.lifetimeMs / 1000) };
  }

  isValid(cookie: string | undefined, now = Date.now()): boolean {
    const id = idOf(cookie);
    if (!id || !cookie) return false;
    const row = this.statements.get.get(id) as { secret_digest: string; expires_at: number } | undefined;
    if (!row) return false;
    if (row.expires_at <= now) {
      this.statements.delete.run(id);
      return false;
    }
    return timingSafeEqual(Buffer.from(this.digest(cookie)), Buffer.from(row.secret_digest));
  }

  /** Logout: the session ends here, whoever holds a copy of the cookie. */
  revoke(cookie: string | undefined): void {
    const id = idOf(cookie);
    if (id && this.isValid(cookie)) this.statements.delete.run(id);
  }

  purgeExpired(now = Date.now()): number {
    return this.statements.purge.run(now).changes;
  }

  private digest(cookie: string): string {
    return createHmac('sha256', this.token.value).update(`nodetool-session:${cookie}`).digest('base64url');
  }
}

function idOf(cookie: string | undefined): string | null {
  const match = /^([\w-]{16})\.[\w-]{32}$/.exec(cookie ?? '');
  return match ? (match[1] as string) : null;
}
