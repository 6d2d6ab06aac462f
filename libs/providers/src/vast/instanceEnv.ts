/**
 * Vast.ai caps each environment value of an instance at 256 characters (its published schema for
 * create instance, `x-input-validation.env.max_length`), and passes values on as Docker flags. A value
 * that is longer, or holds a line break or a space (a PEM certificate), goes base64-encoded in numbered
 * parts: `NAME__PARTS=<n>` and `NAME__PART1` … `NAME__PART<n>`. The image's entrypoint puts `NAME` back
 * together before anything reads it (apps/worker/scripts/env-parts.sh).
 */
export const VAST_ENV_VALUE_LIMIT = 256;
const PART_LENGTH = 200;

export function vastSafeEnv(env: Record<string, string>): Record<string, string> {
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value.length <= VAST_ENV_VALUE_LIMIT && !/\s/.test(value)) {
      safe[name] = value;
      continue;
    }
    const encoded = Buffer.from(value, 'utf8').toString('base64');
    const parts = Math.ceil(encoded.length / PART_LENGTH);
    safe[`${name}__PARTS`] = String(parts);
    for (let index = 0; index < parts; index++) safe[`${name}__PART${index + 1}`] = encoded.slice(index * PART_LENGTH, (index + 1) * PART_LENGTH);
  }
  return safe;
}
