import { ProfileError } from './profileError.js';

/** The readers of a profile's fields: each refusal is a ProfileError naming the field and what it got. */
export function text(raw: Record<string, unknown>, key: string): string {
  const value = raw[key];
  if (typeof value !== 'string' || !value.trim()) throw new ProfileError(key, `"${key}" is required (a non-empty string)`);
  return value.trim();
}

export function flag(raw: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = raw[key] ?? fallback;
  if (typeof value !== 'boolean') throw new ProfileError(key, `"${key}" must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

export function optionalText(raw: Record<string, unknown>, key: string): string | undefined {
  return raw[key] === undefined ? undefined : text(raw, key);
}

export function number(
  raw: Record<string, unknown>,
  key: string,
  fallback: number | undefined,
  limits: { min: number; max?: number; integer?: boolean },
  prefix = '',
): number {
  const value = raw[key] ?? fallback;
  const name = `${prefix}${key}`;
  if (value === undefined) throw new ProfileError(name, `"${name}" is required (a number)`);
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < limits.min ||
    (limits.max !== undefined && value > limits.max) ||
    (limits.integer && !Number.isInteger(value))
  ) {
    throw new ProfileError(
      name,
      `"${name}" must be ${limits.integer ? 'a whole number' : 'a number'} of at least ${limits.min}${limits.max !== undefined ? ` and at most ${limits.max}` : ''}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
