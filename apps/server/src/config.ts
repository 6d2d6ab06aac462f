import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PythonBridgeOptions } from '@nt/bridge';

export interface ServerConfig {
  host: string;
  port: number;
  /** SQLite file for workflows and runs; ':memory:' for a throwaway server. */
  dbPath: string;
  /** Built web UI to serve at /, or null. */
  webRoot: string | null;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  bridgeOptions: PythonBridgeOptions;
  /** Retry delays while the worker cannot be reached at all (initial connect). */
  workerRetry: { initialDelayMs: number; maxDelayMs: number };
}

/** HOST, PORT, NODETOOL_DB, NODETOOL_WEB_ROOT, NODETOOL_MAX_BODY_BYTES; the bridge reads its own variables. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const port = Number(env['PORT'] ?? 7777);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`PORT must be a port number, got ${JSON.stringify(env['PORT'])}`);
  const maxBody = Number(env['NODETOOL_MAX_BODY_BYTES'] ?? 64 * 1024 * 1024);
  if (!Number.isInteger(maxBody) || maxBody <= 0) throw new RangeError('NODETOOL_MAX_BODY_BYTES must be a positive whole number of bytes');
  return {
    host: env['HOST'] ?? '127.0.0.1',
    port,
    dbPath: env['NODETOOL_DB'] ?? join(env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share'), 'nodetool', 'server.db'),
    webRoot: env['NODETOOL_WEB_ROOT'] ?? defaultWebRoot(),
    maxBodyBytes: maxBody,
    bridgeOptions: {},
    workerRetry: { initialDelayMs: 1_000, maxDelayMs: 30_000 },
  };
}

/** apps/web/dist of this checkout, when it has been built. */
function defaultWebRoot(): string | null {
  const candidate = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');
  return existsSync(join(candidate, 'index.html')) ? candidate : null;
}
