/**
 * TEST FIXTURE: what the image's entrypoint does with values a provider could only carry in parts
 * (apps/worker/scripts/env-parts.sh): `NAME__PARTS=<n>` and `NAME__PART1..n`, base64, become `NAME`
 * again. For suites that boot a worker process instead of the image; the container suites run the
 * entrypoint itself.
 */
export function joinEnvParts(env: Record<string, string>): Record<string, string> {
  const joined: Record<string, string> = {};
  const parted = new Set<string>();
  for (const [key, count] of Object.entries(env)) {
    const name = /^([A-Za-z_][A-Za-z0-9_]*)__PARTS$/.exec(key)?.[1];
    if (!name) continue;
    const parts = Array.from({ length: Number(count) }, (_, index) => env[`${name}__PART${index + 1}`] ?? '');
    joined[name] = Buffer.from(parts.join(''), 'base64').toString('utf8');
    parted.add(name);
  }
  for (const [key, value] of Object.entries(env)) {
    const name = /^([A-Za-z_][A-Za-z0-9_]*)__PART(S|\d+)$/.exec(key)?.[1];
    if (!name || !parted.has(name)) joined[key] ??= value;
  }
  return joined;
}
