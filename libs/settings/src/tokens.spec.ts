import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readToken, tokenFromFileAgain } from './tokens.js';

const dir = mkdtempSync(join(tmpdir(), 'nt-tokens-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const LONG = 'a-token-of-thirty-two-characters';

describe('a token or a token file, by one set of rules for the server and the worker', () => {
  it('reads either, trimmed, flags before the environment', () => {
    for (const setting of ['NODETOOL_SERVER_TOKEN', 'NODETOOL_WORKER_TOKEN'] as const) {
      expect(readToken({}, setting)).toBeNull();
      expect(readToken({ [setting]: ` ${LONG}\n` }, setting)).toBe(LONG);
      expect(readToken({ [`${setting}_FILE`]: file('t', `${LONG}\n`) }, setting)).toBe(LONG);
      expect(readToken({ [setting]: 'ignored-because-a-flag-is-given' }, setting, { file: file('t2', LONG) })).toBe(LONG);
    }
  });

  it('refuses both at once, an empty or missing file, and a short token, naming the setting and never the value', () => {
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refusal(() => readToken({ NODETOOL_WORKER_TOKEN: LONG, NODETOOL_WORKER_TOKEN_FILE: file('b', LONG) }, 'NODETOOL_WORKER_TOKEN'))).toBe(
      'both NODETOOL_WORKER_TOKEN and NODETOOL_WORKER_TOKEN_FILE are set: set one',
    );
    expect(refusal(() => readToken({ NODETOOL_SERVER_TOKEN_FILE: file('e', ' \n') }, 'NODETOOL_SERVER_TOKEN'))).toMatch(
      /NODETOOL_SERVER_TOKEN_FILE .* is empty$/,
    );
    expect(refusal(() => readToken({ NODETOOL_SERVER_TOKEN_FILE: join(dir, 'none') }, 'NODETOOL_SERVER_TOKEN'))).toMatch(
      /^cannot read NODETOOL_SERVER_TOKEN_FILE .*: ENOENT$/,
    );
    const short = refusal(() => readToken({ NODETOOL_WORKER_TOKEN: 'sekrit' }, 'NODETOOL_WORKER_TOKEN'));
    expect(short).toBe('NODETOOL_WORKER_TOKEN is 6 characters long; use at least 16 (for example `openssl rand -hex 32`)');
    expect(short).not.toContain('sekrit');
  });

  it('reads a file again as it is now (a rotated token)', async () => {
    const path = file('rotating', LONG);
    expect(await tokenFromFileAgain(path, 'NODETOOL_WORKER_TOKEN')).toBe(LONG);
    writeFileSync(path, `${LONG}-rotated`);
    expect(await tokenFromFileAgain(path, 'NODETOOL_WORKER_TOKEN')).toBe(`${LONG}-rotated`);
  });
});
