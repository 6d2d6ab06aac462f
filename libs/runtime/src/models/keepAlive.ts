/**
 * How long a run's models stay loaded on the worker after the run, in Ollama's terms:
 * a duration ("5m", "30s", "1h30m", "250ms"), a number of seconds, `0` to release them when the
 * run ends, or any negative value to keep them until they are evicted.
 */

/** Milliseconds; 0 = release at run end, Infinity = until evicted. */
export type KeepAliveMs = number;

export const KEEP_ALIVE_ENV = 'NODETOOL_MODEL_KEEP_ALIVE';
export const DEFAULT_KEEP_ALIVE_MS: KeepAliveMs = 5 * 60_000;

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

export class InvalidKeepAliveError extends Error {
  readonly code = 'RUN_ERR_KEEP_ALIVE';
  constructor(
    readonly setting: string,
    value: unknown,
  ) {
    super(
      `${setting}: ${JSON.stringify(value)} is not a keep-alive (use a duration like 5m, 30s or 1h30m, seconds as a number, 0 to release at run end, -1 to keep until evicted)`,
    );
    this.name = 'InvalidKeepAliveError';
  }
}

/** Parses a keep-alive; `setting` names where the value came from, for the error. */
export function parseKeepAlive(value: unknown, setting = 'keep_alive'): KeepAliveMs {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidKeepAliveError(setting, value);
    return fromSeconds(value);
  }
  if (typeof value !== 'string') throw new InvalidKeepAliveError(setting, value);
  const text = value.trim();
  if (/^[-+]?(\d+(\.\d+)?|\.\d+)$/.test(text)) return fromSeconds(Number(text));
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[-+]/, '');
  if (!body) throw new InvalidKeepAliveError(setting, value);
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < body.length) {
    const at = PART.lastIndex;
    const match = PART.exec(body);
    if (!match || match.index !== at) throw new InvalidKeepAliveError(setting, value);
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  if (sign < 0 && total > 0) return Infinity;
  return Math.round(total);
}

function fromSeconds(seconds: number): KeepAliveMs {
  return seconds < 0 ? Infinity : Math.round(seconds * 1000);
}

/** The keep-alive of NODETOOL_MODEL_KEEP_ALIVE, 5 minutes when unset. */
export function keepAliveFromEnv(env: NodeJS.ProcessEnv = process.env): KeepAliveMs {
  const raw = env[KEEP_ALIVE_ENV];
  return raw === undefined || raw.trim() === '' ? DEFAULT_KEEP_ALIVE_MS : parseKeepAlive(raw, KEEP_ALIVE_ENV);
}

/** "0", "forever", or the largest units that say it exactly: "5m", "1h30m", "45s", "250ms". */
export function formatKeepAlive(ms: KeepAliveMs): string {
  if (ms === Infinity) return 'forever';
  if (ms <= 0) return '0';
  let rest = Math.round(ms);
  let text = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return rest ? `${text}${rest}ms` : text;
}
