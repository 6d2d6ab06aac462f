import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { LoginAttempts } from '@nt/data';

/**
 * @fastify/rate-limit's store for the login limit, kept in the database instead of one process's memory:
 * every replica counts the same guesses, and a restart (or a client moving to another replica) resets
 * none. The plugin makes the store itself, so the database comes in through a class made for it.
 */
export function loginAttemptStore(attempts: LoginAttempts): FastifyRateLimitStoreCtor {
  let purged = 0;
  class LoginAttemptStore implements FastifyRateLimitStore {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      const now = Date.now();
      attempts
        .count(key, timeWindow, now)
        .then(async (counted) => {
          // Old windows go now and then, so the table holds the last minutes' clients only.
          if (now - purged > timeWindow) {
            purged = now;
            await attempts.purge(now, timeWindow);
          }
          callback(null, { current: counted.attempts, ttl: counted.msLeft });
        })
        .catch((error: Error) => callback(error));
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return LoginAttemptStore;
}
