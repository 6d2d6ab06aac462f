import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseTargetFromEnv, databaseTargetOf, describeTarget } from './databaseTarget.js';

const URL_WITH_SECRET = 'postgres://nodetool:s3cret-password-9931@db.internal:5432/nodetool';
const refusal = (read: () => unknown) => {
  try {
    read();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('not refused');
};

describe('which database', () => {
  it('is SQLite at NODETOOL_DB without DATABASE_URL, as it always was', () => {
    expect(databaseTargetFromEnv({ NODETOOL_DB: '/data/server.db' })).toEqual({ kind: 'sqlite', path: '/data/server.db' });
    expect(databaseTargetFromEnv({ XDG_DATA_HOME: '/x' })).toEqual({ kind: 'sqlite', path: '/x/nodetool/server.db' });
  });

  it('is Postgres at DATABASE_URL, or at the URL the file DATABASE_URL_FILE holds', () => {
    expect(databaseTargetFromEnv({ DATABASE_URL: URL_WITH_SECRET, NODETOOL_DB: '/ignored.db' })).toEqual({ kind: 'postgres', url: URL_WITH_SECRET });
    const file = join(mkdtempSync(join(tmpdir(), 'nt-dburl-')), 'url');
    writeFileSync(file, `${URL_WITH_SECRET}\n`);
    expect(databaseTargetFromEnv({ DATABASE_URL_FILE: file })).toEqual({ kind: 'postgres', url: URL_WITH_SECRET });
  });

  it('refuses what cannot be a Postgres URL, naming the setting and never the URL', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nt-dburl-')), 'url');
    writeFileSync(file, URL_WITH_SECRET);
    expect(refusal(() => databaseTargetFromEnv({ DATABASE_URL: URL_WITH_SECRET, DATABASE_URL_FILE: file }))).toBe(
      'both DATABASE_URL and DATABASE_URL_FILE are set: set one',
    );
    const mysql = refusal(() => databaseTargetFromEnv({ DATABASE_URL: 'mysql://root:s3cret-password-9931@db/x' }));
    expect(mysql).toBe('DATABASE_URL must be a postgres:// URL, got one of scheme mysql');
    expect(refusal(() => databaseTargetFromEnv({ DATABASE_URL: 's3cret-password-9931' }))).toMatch(/^DATABASE_URL is not a URL/);
    expect(refusal(() => databaseTargetFromEnv({ DATABASE_URL_FILE: join(tmpdir(), 'nt-no-such-file') }))).toMatch(
      /^cannot read DATABASE_URL_FILE .*nt-no-such-file: ENOENT$/,
    );
    writeFileSync(file, ' \n');
    expect(refusal(() => databaseTargetFromEnv({ DATABASE_URL_FILE: file }))).toMatch(/^DATABASE_URL_FILE .* is empty$/);
  });

  it('takes the password from DATABASE_PASSWORD_FILE, the file the Postgres service reads too, for a URL without one', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nt-dbpass-')), 'password');
    writeFileSync(file, 'p@ss/w:rd 9931\n');
    const target = databaseTargetFromEnv({ DATABASE_URL: 'postgres://nodetool@postgres:5432/nodetool', DATABASE_PASSWORD_FILE: file });
    expect(target.kind === 'postgres' && decodeURIComponent(new URL(target.url).password)).toBe('p@ss/w:rd 9931');
    expect(refusal(() => databaseTargetFromEnv({ DATABASE_URL: URL_WITH_SECRET, DATABASE_PASSWORD_FILE: file }))).toBe(
      'DATABASE_PASSWORD_FILE is set and the database URL holds a password too: keep one',
    );
    expect(refusal(() => databaseTargetFromEnv({ DATABASE_PASSWORD_FILE: file }))).toMatch(/^DATABASE_PASSWORD_FILE is set without DATABASE_URL/);
    expect(refusal(() => databaseTargetFromEnv({ DATABASE_URL: 'postgres://db/x', DATABASE_PASSWORD_FILE: file }))).toMatch(/names no user/);
  });

  it('is described for logs without the password', () => {
    expect(describeTarget({ kind: 'postgres', url: URL_WITH_SECRET })).toBe('Postgres nodetool@db.internal:5432/nodetool');
    expect(describeTarget({ kind: 'sqlite', path: '/data/server.db' })).toBe('SQLite /data/server.db');
  });

  it('reads the two ends of a copy: sqlite:<path>, a bare path, or postgres://', () => {
    expect(databaseTargetOf('sqlite:/old/server.db', '--from')).toEqual({ kind: 'sqlite', path: '/old/server.db' });
    expect(databaseTargetOf('/old/server.db', '--from')).toEqual({ kind: 'sqlite', path: '/old/server.db' });
    expect(databaseTargetOf(URL_WITH_SECRET, '--to')).toEqual({ kind: 'postgres', url: URL_WITH_SECRET });
    expect(refusal(() => databaseTargetOf('sqlite:', '--from'))).toBe('--from names no SQLite file');
  });
});
