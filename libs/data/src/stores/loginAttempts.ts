import { sql } from 'kysely';
import type { Db } from '../openDatabase.js';

/**
 * Login attempts per client in a fixed window, counted in the database: every replica counts the same
 * guesses, and a restart forgets none. One statement counts and answers, so two replicas never both
 * count from the same number.
 */
export class LoginAttempts {
  constructor(private readonly db: Db) {}

  /** Counts one attempt of `client` now; answers the attempts in its window and the ms the window has left. */
  async count(client: string, windowMs: number, now = Date.now()): Promise<{ attempts: number; msLeft: number }> {
    const expired = sql<boolean>`login_attempts.window_start + ${windowMs} <= ${now}`;
    const row = await this.db.query
      .insertInto('login_attempts')
      .values({ client, window_start: now, attempts: 1 })
      .onConflict((conflict) =>
        conflict.column('client').doUpdateSet({
          attempts: sql<number>`CASE WHEN ${expired} THEN 1 ELSE login_attempts.attempts + 1 END`,
          window_start: sql<number>`CASE WHEN ${expired} THEN ${now} ELSE login_attempts.window_start END`,
        }),
      )
      .returning(['attempts', 'window_start'])
      .executeTakeFirstOrThrow();
    return { attempts: Number(row.attempts), msLeft: Math.max(0, Number(row.window_start) + windowMs - now) };
  }

  /** Forgets windows that ended before `before`: the table holds the clients of the last minutes only. */
  async purge(before: number, windowMs: number): Promise<number> {
    const result = await this.db.query
      .deleteFrom('login_attempts')
      .where('window_start', '<', before - windowMs)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
