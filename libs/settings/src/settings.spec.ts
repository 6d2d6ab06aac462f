import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseSetting, readSetting, readSettingIfSet, redactSecrets, SETTINGS, settingsHelp, type Setting } from './index.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const declared = SETTINGS as Record<string, Setting>;

/** Every file under `dir` (recursively) whose name passes `keep`. */
function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' || entry === 'dist' || entry.startsWith('.') ? [] : filesUnder(path, keep);
    return keep(path) ? [path] : [];
  });
}

/** The NODETOOL_ names a piece of code or script reads from its environment. */
function namesReadIn(text: string): string[] {
  const reads = [
    ...text.matchAll(/env\[['"`](NODETOOL_[A-Z0-9_]+)['"`]\]/g),
    ...text.matchAll(/readSetting(?:IfSet)?\([^,]+,\s*['"`]([A-Z0-9_]+)['"`]\)/g),
    ...text.matchAll(/\$\{?(NODETOOL_[A-Z0-9_]+)/g),
    ...text.matchAll(/environ(?:\.get\(|\[)['"](NODETOOL_[A-Z0-9_]+)['"]/g),
  ];
  return [...new Set(reads.map((match) => match[1] as string))];
}

describe('the settings', () => {
  it('declare every NODETOOL_ setting the server, the CLI and the libraries read', () => {
    const sources = ['apps/server/src', 'apps/cli/src', 'libs/bridge/src', 'libs/runtime/src', 'libs/providers/src', 'libs/provisioning/src'].flatMap((dir) =>
      filesUnder(join(ROOT, dir), (path) => /\.tsx?$/.test(path) && !/\.(spec|integration|e2e)\.ts$/.test(path) && !path.includes('/testing/')),
    );
    const undeclared = sources.flatMap((file) =>
      namesReadIn(readFileSync(file, 'utf8'))
        .filter((name) => !(name in declared))
        .map((name) => `${name} (${file.slice(ROOT.length)})`),
    );
    expect(undeclared).toEqual([]);
  });

  it('declare every setting the image’s start-up scripts read, and read every one declared for the image', () => {
    const scripts = ['entrypoint.sh', 'env-parts.sh', 'prepare-mounts.sh', 'serve.sh', 'tls-setup.sh', 'worker-port.sh', 'healthcheck.py'].map((name) =>
      readFileSync(join(ROOT, 'apps/worker/scripts', name), 'utf8'),
    );
    const read = new Set(scripts.flatMap(namesReadIn));
    expect([...read].filter((name) => !(name in declared))).toEqual([]);
    const forImage = Object.entries(declared)
      .filter(([, setting]) => setting.readBy.includes('image'))
      .map(([name]) => name);
    expect(forImage.filter((name) => !read.has(name) && !scripts.some((script) => script.includes(name)))).toEqual([]);
  });

  it('read a value as declared, and name the setting when it cannot work', () => {
    expect(readSetting({}, 'PORT')).toBe(7777);
    expect(readSetting({ PORT: '0' }, 'PORT')).toBe(0);
    expect(readSetting({ NODETOOL_ALLOWED_HOSTS: ' a.lan, ,b.lan ' }, 'NODETOOL_ALLOWED_HOSTS')).toEqual(['a.lan', 'b.lan']);
    expect(readSetting({ NODETOOL_LOCAL_WORKER: 'false' }, 'NODETOOL_LOCAL_WORKER')).toBe(false);
    expect(readSetting({}, 'NODETOOL_WORKER_MAX_CONCURRENT_RUNS')).toBeUndefined();
    for (const [env, message] of [
      [{ PORT: '80 80' }, 'PORT must be a whole number, got "80 80"'],
      [{ PORT: '1e3' }, 'PORT must be a whole number, got "1e3"'],
      [{ PORT: '70000' }, 'PORT must be between 0 and 65535, got 70000'],
      [{ NODETOOL_BRIDGE_MAX_FRAME_SIZE: '256MB' }, 'NODETOOL_BRIDGE_MAX_FRAME_SIZE must be a whole number of bytes, got "256MB"'],
      [{ NODETOOL_PYTHON_EXECUTE_TIMEOUT_MS: '10s' }, 'NODETOOL_PYTHON_EXECUTE_TIMEOUT_MS must be a whole number of milliseconds (0 turns it off), got "10s"'],
      [{ NODETOOL_LOCAL_WORKER: 'yes' }, 'NODETOOL_LOCAL_WORKER must be 1 or 0, got "yes"'],
      [{ NODETOOL_RENT_ORPHANS: 'kill' }, 'NODETOOL_RENT_ORPHANS must be "report" or "stop", got "kill"'],
    ] as const) {
      const name = Object.keys(env)[0] as keyof typeof SETTINGS;
      expect(() => readSetting(env as NodeJS.ProcessEnv, name), name).toThrow(new ConfigError(name, message));
    }
  });

  it.each(['10MB', '1e9', ' 5', '5 ', '-1', '0', '1.5', '0x10', 'NaN', '4294967296'])(
    'refuse NODETOOL_BRIDGE_MAX_FRAME_SIZE=%j, a limit that must never be half-read',
    (raw) => {
      expect(() => readSetting({ NODETOOL_BRIDGE_MAX_FRAME_SIZE: raw }, 'NODETOOL_BRIDGE_MAX_FRAME_SIZE')).toThrow(/^NODETOOL_BRIDGE_MAX_FRAME_SIZE must be /);
    },
  );

  it('take NODETOOL_BRIDGE_MAX_FRAME_SIZE from 1 byte to 4 GiB - 1, 256 MiB when unset or empty', () => {
    expect(readSetting({ NODETOOL_BRIDGE_MAX_FRAME_SIZE: '4294967295' }, 'NODETOOL_BRIDGE_MAX_FRAME_SIZE')).toBe(4_294_967_295);
    expect(readSetting({ NODETOOL_BRIDGE_MAX_FRAME_SIZE: '' }, 'NODETOOL_BRIDGE_MAX_FRAME_SIZE')).toBe(268_435_456);
    expect(readSetting({}, 'NODETOOL_BRIDGE_MAX_FRAME_SIZE')).toBe(268_435_456);
  });

  it('tell a setting left unset from one set to its default (workflows run uses a server only when one is named)', () => {
    expect(readSettingIfSet({}, 'NODETOOL_SERVER_URL')).toBeUndefined();
    expect(readSettingIfSet({ NODETOOL_SERVER_URL: '  ' }, 'NODETOOL_SERVER_URL')).toBeUndefined();
    expect(readSettingIfSet({ NODETOOL_SERVER_URL: 'http://127.0.0.1:7777' }, 'NODETOOL_SERVER_URL')).toBe('http://127.0.0.1:7777');
    expect(readSetting({}, 'NODETOOL_SERVER_URL')).toBe('http://127.0.0.1:7777');
    expect(() => readSettingIfSet({ NODETOOL_BRIDGE_MAX_FRAME_SIZE: '5MB' }, 'NODETOOL_BRIDGE_MAX_FRAME_SIZE')).toThrow(/NODETOOL_BRIDGE_MAX_FRAME_SIZE/);
  });

  it('never repeat a secret’s value in an error', () => {
    const error = (() => {
      try {
        parseSetting('NODETOOL_X_TOKEN', { kind: 'integer', min: 1, secret: true, doc: '', readBy: ['server'] }, 'hunter2-hunter2');
      } catch (caught) {
        return caught as Error;
      }
      return null;
    })();
    expect(error?.message).toBe('NODETOOL_X_TOKEN must be a whole number, got (hidden)');
  });

  it('take every secret setting’s value out of a line of text, and nothing else', () => {
    const env = { S3_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG', NODETOOL_WORKER_TOKEN: 'tok-abcdef-123', PORT: '7777' };
    expect(redactSecrets('sdk said wJalrXUtnFEMI/K7MDENG was refused; worker tok-abcdef-123 on 7777', env)).toBe(
      'sdk said [S3_SECRET_ACCESS_KEY redacted] was refused; worker [NODETOOL_WORKER_TOKEN redacted] on 7777',
    );
  });

  it('give --help one line per setting of the readers asked for', () => {
    const help = settingsHelp(['cli']);
    expect(help).toMatch(/^ {2}NODETOOL_SERVER_TOKEN\s+Every API call/m);
    expect(help).toMatch(/NODETOOL_SERVER_URL\s+.*\(default: http:\/\/127\.0\.0\.1:7777\)$/m);
    expect(help).not.toContain('NODETOOL_WORKER_TLS_DIR');
  });
});
