import { parseArgs } from 'node:util';
import {
  copyDatabase,
  CopyRefusedError,
  databaseTargetFromEnv,
  databaseTargetOf,
  describeTarget,
  inspectSchema,
  openDatabase,
  schemaVersion,
  type DatabaseTarget,
} from '@nt/data';
import { ConfigError } from '@nt/settings';
import { EXIT, type ExitCode } from '../exitCodes.js';
import type { Io } from '../io.js';
import { DB_HELP } from './databaseHelp.js';

/** `nodetool db migrate`. */
export async function dbMigrate(argv: string[], io: Io): Promise<ExitCode> {
  return withTarget(argv, io, async (target, where) => {
    const db = await openDatabase(target);
    try {
      const { applied, known } = await schemaVersion(db);
      io.out(
        applied === known
          ? `${where}: migrated, schema version ${known} (up to date)`
          : `${where}: schema version ${applied} of ${known}; the rest moves inline result bytes into the asset store, which the server does when it starts`,
      );
    } finally {
      await db.close();
    }
  });
}

/** `nodetool db status`. */
export async function dbStatus(argv: string[], io: Io): Promise<ExitCode> {
  return withTarget(argv, io, async (target, where) => {
    const { applied, known, exists } = await inspectSchema(target);
    if (!exists) io.out(`${where}: no database yet (the server or \`nodetool db migrate\` makes it)`);
    else if (applied > known) io.out(`${where}: schema version ${applied}, newer than this release knows (${known}): use a newer release`);
    else io.out(`${where}: schema version ${applied} of ${known}${applied === known ? ' (up to date)' : ' (`nodetool db migrate` brings it up to date)'}`);
  });
}

async function withTarget(argv: string[], io: Io, work: (target: DatabaseTarget, where: string) => Promise<void>): Promise<ExitCode> {
  const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    io.out(DB_HELP);
    return EXIT.ok;
  }
  let target: DatabaseTarget;
  try {
    target = databaseTargetFromEnv(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`nodetool: ${error.message}`);
    return EXIT.usage;
  }
  const where = describeTarget(target);
  try {
    await work(target, where);
    return EXIT.ok;
  } catch (error) {
    io.err(`nodetool: ${where}: ${(error as Error).message}`);
    return EXIT.failed;
  }
}

/**
 * `nodetool db copy --from sqlite:<file> [--to postgres://user@host/db]`: everything a server keeps, into
 * an empty database. Without --to, the target is the server's (DATABASE_URL or DATABASE_URL_FILE). A
 * password never goes on the command line (others on the machine can read it there): refused, with
 * where to put it instead.
 */
export async function dbCopy(argv: string[], io: Io): Promise<ExitCode> {
  const { values } = parseArgs({
    args: argv,
    options: { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.out(DB_HELP);
    return EXIT.ok;
  }
  let from: DatabaseTarget;
  let to: DatabaseTarget;
  try {
    if (!values.from) throw new ConfigError('--from', 'nodetool db copy needs --from (sqlite:<file>, or a postgres:// URL without its password)');
    from = databaseTargetOf(values.from, '--from');
    to = values.to ? databaseTargetOf(values.to, '--to') : databaseTargetFromEnv(process.env);
    for (const [flag, given, target] of [
      ['--from', values.from, from],
      ['--to', values.to, to],
    ] as const)
      if (given && target.kind === 'postgres' && new URL(target.url).password)
        throw new ConfigError(
          flag,
          `${flag} holds a password, which others on this machine can read in the command line: leave it out and set PGPASSWORD, or give the target as DATABASE_URL_FILE`,
        );
    if (describeTarget(from) === describeTarget(to)) throw new ConfigError('--to', 'the source and the target are the same database');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`nodetool: ${error.message}`);
    return EXIT.usage;
  }
  const where = `${describeTarget(from)} to ${describeTarget(to)}`;
  try {
    const copied = await copyDatabase(from, to, (table, rows) => io.err(`copied ${rows} ${table}`));
    io.out(
      `copied ${where}: ${Object.entries(copied)
        .map(([table, rows]) => `${rows} ${table}`)
        .join(', ')}`,
    );
    if (copied.assets)
      io.out(
        'asset files stay where they are: give the new server the same NODETOOL_ASSETS_DIR (a folder every replica mounts, NODETOOL_ASSETS_SHARED=1), or its bucket',
      );
    return EXIT.ok;
  } catch (error) {
    io.err(`nodetool: copying ${where}: ${(error as Error).message}`);
    return error instanceof CopyRefusedError ? EXIT.usage : EXIT.failed;
  }
}
