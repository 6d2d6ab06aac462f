import type { Db } from '../openDatabase.js';

/** The sessions table: an id, the HMAC of its cookie (never the cookie), and when it expires (ms). */
export class SessionRecords {
  constructor(private readonly db: Db) {}

  async insert(id: string, secretDigest: string, createdAt: string, expiresAt: number): Promise<void> {
    await this.db.query.insertInto('sessions').values({ id, secret_digest: secretDigest, created_at: createdAt, expires_at: expiresAt }).execute();
  }

  async get(id: string): Promise<{ secretDigest: string; expiresAt: number } | null> {
    const row = await this.db.query.selectFrom('sessions').select(['secret_digest', 'expires_at']).where('id', '=', id).executeTakeFirst();
    return row ? { secretDigest: row.secret_digest, expiresAt: row.expires_at } : null;
  }

  async delete(id: string): Promise<void> {
    await this.db.query.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Removes the sessions expired at `now`; answers how many. */
  async purgeExpired(now: number): Promise<number> {
    const result = await this.db.query.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
