import { timingSafeEqual } from 'node:crypto';

/** The exact body the real worker sends with its 401. */
export const UNAUTHORIZED_BODY = 'Unauthorized\n';

/**
 * The real worker's rule: open when no token is set; otherwise the whole
 * Authorization value must equal "Bearer <token>", compared in constant time.
 */
export function isAuthorized(header: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  if (!header) return false;
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header);
  // Compare equal-length buffers only; a length mismatch still costs one comparison.
  return given.length === expected.length ? timingSafeEqual(given, expected) : !timingSafeEqual(expected, expected);
}
