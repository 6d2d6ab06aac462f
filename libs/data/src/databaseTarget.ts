import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, readSetting } from '@nt/settings';

/** Which database: a SQLite file (the default) or a Postgres server. */
export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/**
 * DATABASE_URL (or the file DATABASE_URL_FILE names, never both) selects Postgres, with the password of
 * DATABASE_PASSWORD_FILE when the URL holds none; without either, the SQLite file at NODETOOL_DB, as it always was. A URL that is not postgres:// is refused naming the
 * setting, never with its text (it carries a password).
 */
export function databaseTargetFromEnv(env: NodeJS.ProcessEnv): DatabaseTarget {
  const inline = (env['DATABASE_URL'] ?? '').trim();
  const file = (env['DATABASE_URL_FILE'] ?? '').trim();
  if (inline && file) throw new ConfigError('DATABASE_URL_FILE', 'both DATABASE_URL and DATABASE_URL_FILE are set: set one');
  const url = file ? secretFromFile(file, 'DATABASE_URL_FILE') : inline;
  const password = (env['DATABASE_PASSWORD_FILE'] ?? '').trim();
  if (password && !url)
    throw new ConfigError('DATABASE_PASSWORD_FILE', 'DATABASE_PASSWORD_FILE is set without DATABASE_URL: set the URL it is the password of');
  if (url) {
    const checked = checkPostgresUrl(url, file ? 'DATABASE_URL_FILE' : 'DATABASE_URL');
    return { kind: 'postgres', url: password ? withPassword(checked, secretFromFile(password, 'DATABASE_PASSWORD_FILE')) : checked };
  }
  return { kind: 'sqlite', path: readSetting(env, 'NODETOOL_DB') || defaultSqlitePath(env) };
}

/** The URL with the password of DATABASE_PASSWORD_FILE (one secret file shared with the Postgres service), refused if it has one already. */
function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  if (parsed.password) throw new ConfigError('DATABASE_PASSWORD_FILE', 'DATABASE_PASSWORD_FILE is set and the database URL holds a password too: keep one');
  if (!parsed.username)
    throw new ConfigError('DATABASE_PASSWORD_FILE', 'DATABASE_PASSWORD_FILE is set and the database URL names no user (postgres://user@host/db)');
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** `sqlite:<path>`, a bare path, or `postgres://…`: how `nodetool db copy` names its two ends. */
export function databaseTargetOf(text: string, what: string): DatabaseTarget {
  if (/^postgres(ql)?:\/\//.test(text)) return { kind: 'postgres', url: checkPostgresUrl(text, what) };
  const path = text.replace(/^sqlite:/, '');
  if (!path) throw new ConfigError(what, `${what} names no SQLite file`);
  return { kind: 'sqlite', path };
}

/** Where the database is, for logs and errors: a Postgres URL without its password. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return `SQLite ${target.path}`;
  const url = new URL(target.url);
  return `Postgres ${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.host}${url.pathname}`;
}

function defaultSqlitePath(env: NodeJS.ProcessEnv): string {
  return join(env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share'), 'nodetool', 'server.db');
}

function secretFromFile(file: string, setting: string): string {
  try {
    const text = readFileSync(file, 'utf8').trim();
    if (!text) throw new ConfigError(setting, `${setting} ${file} is empty`);
    return text;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(setting, `cannot read ${setting} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function checkPostgresUrl(url: string, setting: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(setting, `${setting} is not a URL (expected postgres://user:password@host:5432/database)`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new ConfigError(setting, `${setting} must be a postgres:// URL, got one of scheme ${parsed.protocol.replace(/:$/, '')}`);
  if (!parsed.hostname) throw new ConfigError(setting, `${setting} names no host (expected postgres://user:password@host:5432/database)`);
  return url;
}
