/** How far back failed bring-ups are counted. */
export const BRAKE_WINDOW_MS = 3_600_000;

/**
 * Why a profile is not rented from again now, or null: a worker that never becomes healthy (a wrong
 * image, a bad host) rented again and again would spend money in a loop, so after `limit` failed
 * bring-ups in the last hour the profile waits until the oldest of them is an hour old.
 */
export function bringUpBraked(failures: readonly { at: number; detail: string }[], limit: number, now: number): string | null {
  const recent = failures.filter((failure) => now - failure.at < BRAKE_WINDOW_MS).sort((a, b) => a.at - b.at);
  if (recent.length < limit) return null;
  const resumes = Math.ceil(((recent[0] as { at: number }).at + BRAKE_WINDOW_MS - now) / 60_000);
  const last = recent[recent.length - 1] as { detail: string };
  return `${recent.length} bring-ups failed in the last hour (NODETOOL_RENT_MAX_FAILED_BRINGUPS is ${limit}; the last: ${last.detail}): not rented from again for ${resumes} min`;
}
