const MAX_COMPARED_LENGTH = 200;

/**
 * Suggests known names close to an unknown one: same last segment, a
 * substring, or a small edit distance on the lower-cased name.
 */
export function closeMatches(unknown: string, known: string[], limit = 3): string[] {
  // Edit distance is quadratic in the length; no real type name is this long.
  if (unknown.length > MAX_COMPARED_LENGTH) return [];
  const wanted = unknown.toLowerCase();
  const wantedTail = wanted.split('.').pop() ?? wanted;
  const scored = known.map((candidate) => {
    const lower = candidate.toLowerCase();
    const tail = lower.split('.').pop() ?? lower;
    let score = Math.min(editDistance(wanted, lower), editDistance(wantedTail, tail) + 1);
    if (tail === wantedTail) score = 0;
    else if (lower.includes(wantedTail) || wanted.includes(tail)) score = Math.min(score, 2);
    return { candidate, score };
  });
  const threshold = Math.max(3, Math.floor(wantedTail.length * 0.4));
  return scored
    .filter((entry) => entry.score <= threshold)
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map((entry) => entry.candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
