import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ConfigError } from './configError.js';

/** The bearer tokens: each given inline (NAME) or in a file (NAME_FILE), read by the same rules everywhere. */
export type TokenSetting = 'NODETOOL_SERVER_TOKEN' | 'NODETOOL_WORKER_TOKEN';

/** Shorter tokens are refused: ten guesses a minute find a short one. */
export const MIN_TOKEN_LENGTH = 16;

/** Where a token came from: inline (the setting, or a flag), or a file (read again where a token may be rotated). */
export type TokenSource = { kind: 'inline'; token: string } | { kind: 'file'; file: string; token: string };

/**
 * The token of `setting` and where it came from, or null when none is set: from `given` (a command's
 * flags) when either is given, else the environment. Refused with a ConfigError naming the setting:
 * both a token and a file, a file that cannot be read or holds nothing, a token shorter than 16
 * characters. The value is never in a message.
 */
export function tokenSource(env: NodeJS.ProcessEnv, setting: TokenSetting, given: { token?: string; file?: string } = {}): TokenSource | null {
  // Flags, when a command was given either, stand for both: the environment's token then plays no part.
  const flags = given.token !== undefined || given.file !== undefined;
  const inline = ((flags ? given.token : env[setting]) ?? '').trim();
  const file = ((flags ? given.file : env[`${setting}_FILE`]) ?? '').trim();
  if (inline && file) throw new ConfigError(`${setting}_FILE`, `both ${setting} and ${setting}_FILE are set: set one`);
  if (file) return { kind: 'file', file, token: tokenFromFile(file, setting) };
  return inline ? { kind: 'inline', token: checkToken(inline, setting) } : null;
}

/** The token of `setting` (tokenSource's rules), or null when none is set. */
export function readToken(env: NodeJS.ProcessEnv, setting: TokenSetting, given: { token?: string; file?: string } = {}): string | null {
  return tokenSource(env, setting, given)?.token ?? null;
}

/** A token file read now (for a start-up check, and the server's token). */
export function tokenFromFile(file: string, setting: TokenSetting): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw unreadable(file, setting, error);
  }
  return checkFileToken(text, file, setting);
}

/** A token file read again (a worker's token before every connect: it may have been rotated). */
export async function tokenFromFileAgain(file: string, setting: TokenSetting): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw unreadable(file, setting, error);
  }
  return checkFileToken(text, file, setting);
}

function checkFileToken(text: string, file: string, setting: TokenSetting): string {
  const token = text.trim();
  if (!token) throw new ConfigError(`${setting}_FILE`, `${setting}_FILE ${file} is empty`);
  return checkToken(token, setting);
}

function checkToken(token: string, setting: TokenSetting): string {
  if (token.length < MIN_TOKEN_LENGTH)
    throw new ConfigError(setting, `${setting} is ${token.length} characters long; use at least ${MIN_TOKEN_LENGTH} (for example \`openssl rand -hex 32\`)`);
  return token;
}

function unreadable(file: string, setting: TokenSetting, error: unknown): ConfigError {
  return new ConfigError(`${setting}_FILE`, `cannot read ${setting}_FILE ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
}
