/**
 * TEST FIXTURE: how Vast.ai's offer search reads a filter, per its published description (eq, neq, gt,
 * lt, gte, lte, in, notin on an offer field) and what the official client sends: numbers may come as
 * strings ("1", "13.0") and compare as numbers; `rented` is not a server-side filter (Vast's schema says
 * the server drops it, and the CLI applies it to the answer).
 */
export type Offer = Record<string, unknown>;

const OPS = ['eq', 'neq', 'gt', 'lt', 'gte', 'lte', 'in', 'notin'] as const;
const NOT_FILTERS = new Set(['order', 'type', 'limit', 'allocated_storage', 'target_reliability', 'disable_bundling', 'rented']);

export function offerMatches(offer: Offer, body: Record<string, unknown>): boolean {
  for (const [field, filter] of Object.entries(body)) {
    if (NOT_FILTERS.has(field) || filter === null || typeof filter !== 'object') continue;
    const actual = offer[field];
    for (const op of OPS) {
      if (!(op in (filter as object))) continue;
      const wanted = (filter as Record<string, unknown>)[op];
      if (!compare(actual, op, wanted)) return false;
    }
  }
  return true;
}

function compare(actual: unknown, op: (typeof OPS)[number], wanted: unknown): boolean {
  if (op === 'in' || op === 'notin') {
    const found = Array.isArray(wanted) && wanted.some((entry) => equal(actual, entry));
    return op === 'in' ? found : !found;
  }
  if (op === 'eq') return equal(actual, wanted);
  if (op === 'neq') return !equal(actual, wanted);
  const a = numeric(actual);
  const b = numeric(wanted);
  if (a === null || b === null) return false;
  return op === 'gt' ? a > b : op === 'lt' ? a < b : op === 'gte' ? a >= b : a <= b;
}

function equal(actual: unknown, wanted: unknown): boolean {
  const a = numeric(actual);
  const b = numeric(wanted);
  if (a !== null && b !== null) return a === b;
  return actual === wanted;
}

function numeric(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return null;
}
