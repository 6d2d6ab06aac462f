import { parseArgs } from 'node:util';
import { databaseTargetFromEnv, describeTarget, inspectSchema, openDatabase, schemaVersion, type DatabaseTarget } from '@nt/data';
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
