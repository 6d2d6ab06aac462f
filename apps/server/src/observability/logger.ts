import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { systemSettings } from '@nt/providers';
import { redactSecrets, type Setting } from '@nt/settings';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: string;
  /** `auto`: readable on a terminal, JSON lines otherwise (a container, a service, a pipe). */
  format: 'auto' | 'json' | 'pretty';
  /** Whose secret settings are taken out of every line (the server's environment). */
  env: NodeJS.ProcessEnv;
  /** Where lines go (default: stdout); tests pass a collector. */
  destination?: { write(line: string): unknown; isTTY?: boolean };
}

/**
 * A line with nothing in it that unlocks anything: secret settings' values (tokens, provider and
 * bucket keys), the signature and credential of a presigned URL, a bearer token. Lines carry text we
 * did not write (an SDK's error, a worker's message), so this runs on each whole line, last.
 */
export function redactLine(line: string, env: NodeJS.ProcessEnv, settings: Record<string, Setting> = systemSettings(env)): string {
  return redactSecrets(line, env, settings)
    .replace(/(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"\\]+/gi, '$1[redacted]')
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g, '$1[redacted]');
}

/** The server's logger (pino): JSON lines or readable ones, every line redacted. */
export function createLogger(options: LoggerOptions): Logger {
  const out = options.destination ?? process.stdout;
  const readable = options.format === 'pretty' || (options.format === 'auto' && Boolean(out.isTTY));
  // pino-pretty reads the JSON line (already redacted) and writes the readable form to `out`.
  const stream =
    out instanceof Writable
      ? out
      : new Writable({
          write(chunk: Buffer, _encoding, done) {
            out.write(chunk.toString());
            done();
          },
        });
  // Computed once: the profile keys are the ones set when the server started.
  const settings = systemSettings(options.env);
  const target = readable ? pretty({ colorize: Boolean(out.isTTY), destination: stream, sync: true, ignore: 'pid,hostname,service' }) : out;
  return pino(
    {
      level: options.level,
      base: { service: 'nodetool-server' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // "info", not 30: what log shippers and people filter on.
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (line: string) => target.write(redactLine(line, options.env, settings)) },
  );
}

/** A logger that writes nothing (tests and benches that do not read the log). */
export const silentLogger = (): Logger => pino({ level: 'silent' });
