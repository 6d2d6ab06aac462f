import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import {
  bucketOf,
  copyDatabase,
  CopyRefusedError,
  databaseTargetFromEnv,
  databaseTargetOf,
  describeTarget,
  inspectSchema,
  LocalAssetBackend,
  openDatabase,
  S3AssetBackend,
  schemaVersion,
  uploadLocalAssets,
  type DatabaseTarget,
  type S3Settings,
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
 * `nodetool db copy --from sqlite:<file> [--to postgres://user@host/db] [--assets-dir <dir>]`: everything a
 * server keeps, into an empty database. Without --to, the target is the server's (DATABASE_URL or
 * DATABASE_URL_FILE). With a bucket set (ASSET_BUCKET, as the server reads it), the asset files of the
 * source's folder go into the bucket and their records with them. A password never goes on the command
 * line (others on the machine can read it there): refused, with where to put it instead.
 */
export async function dbCopy(argv: string[], io: Io): Promise<ExitCode> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'assets-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.out(DB_HELP);
    return EXIT.ok;
  }
  let ends: CopyEnds;
  try {
    ends = copyEndsOf(values.from, values.to, values['assets-dir']);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`nodetool: ${error.message}`);
    return EXIT.usage;
  }
  const where = `${describeTarget(ends.from)} to ${describeTarget(ends.to)}`;
  try {
    const copied = await copyDatabase(ends.from, ends.to, (table, rows) => io.err(`copied ${rows} ${table}`));
    io.out(
      `copied ${where}: ${Object.entries(copied)
        .map(([table, rows]) => `${rows} ${table}`)
        .join(', ')}`,
    );
    if (!copied.assets) return EXIT.ok;
    if (!ends.bucket) {
      io.out(
        'asset files stay where they are: give the new server the same NODETOOL_ASSETS_DIR (a folder every replica mounts, NODETOOL_ASSETS_SHARED=1), or set its bucket (ASSET_BUCKET) for the copy, into a new database, to move them there',
      );
      return EXIT.ok;
    }
    return await copyAssetFiles(ends, io);
  } catch (error) {
    io.err(`nodetool: copying ${where}: ${(error as Error).message}`);
    return error instanceof CopyRefusedError ? EXIT.usage : EXIT.failed;
  }
}

interface CopyEnds {
  from: DatabaseTarget;
  to: DatabaseTarget;
  /** The folder the source's asset files are in, and the bucket they go to (null: none set). */
  assetsDir: string | null;
  bucket: S3Settings | null;
}

function copyEndsOf(fromText: string | undefined, toText: string | undefined, assetsDir: string | undefined): CopyEnds {
  if (!fromText) throw new ConfigError('--from', 'nodetool db copy needs --from (sqlite:<file>, or a postgres:// URL without its password)');
  const from = databaseTargetOf(fromText, '--from');
  const to = toText ? databaseTargetOf(toText, '--to') : databaseTargetFromEnv(process.env);
  for (const [flag, given, target] of [
    ['--from', fromText, from],
    ['--to', toText, to],
  ] as const)
    if (given && target.kind === 'postgres' && new URL(target.url).password)
      throw new ConfigError(
        flag,
        `${flag} holds a password, which others on this machine can read in the command line: leave it out and set PGPASSWORD, or give the target as DATABASE_URL_FILE`,
      );
  if (describeTarget(from) === describeTarget(to)) throw new ConfigError('--to', 'the source and the target are the same database');
  const bucket = bucketOf(process.env);
  // The server's own default: the assets folder next to its SQLite file.
  const dir = assetsDir ?? (from.kind === 'sqlite' ? join(dirname(from.path), 'assets') : null);
  if (bucket && !dir)
    throw new ConfigError('--assets-dir', 'a bucket is set, and the source is not a SQLite file: say with --assets-dir where its asset files are');
  return { from, to, assetsDir: dir, bucket };
}

/** The copied records' files, from the source's folder into the bucket: the records then point there. */
async function copyAssetFiles(ends: CopyEnds, io: Io): Promise<ExitCode> {
  const bucket = ends.bucket as S3Settings;
  const db = await openDatabase(ends.to);
  try {
    const moved = await uploadLocalAssets(db, new LocalAssetBackend(ends.assetsDir as string), new S3AssetBackend(bucket), (done) =>
      io.err(`uploaded ${done} asset file(s) to the bucket ${bucket.bucket}`),
    );
    io.out(`uploaded ${moved.uploaded} asset file(s) from ${ends.assetsDir} to the bucket ${bucket.bucket}; their records point there`);
    if (!moved.missing.length) return EXIT.ok;
    io.err(
      `nodetool: ${moved.missing.length} asset file(s) are not in ${ends.assetsDir} (${moved.missing.slice(0, 3).join(', ')}${moved.missing.length > 3 ? ', …' : ''}): their records still point at the folder; give --assets-dir the source server's NODETOOL_ASSETS_DIR`,
    );
    return EXIT.failed;
  } finally {
    await db.close();
  }
}
