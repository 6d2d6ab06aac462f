/**
 * TEST HELPER: each suite that touches the database runs on both: SQLite (a file of its own) and a real
 * Postgres (Debian's package, started once per suite, a fresh database per test).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '@nt/test-fixtures';
import type { DatabaseTarget } from '../databaseTarget.js';

export interface DatabaseKind {
  kind: DatabaseTarget['kind'];
  /** A new, empty database of this kind. */
  fresh(): Promise<DatabaseTarget>;
}

let postgres: Promise<PostgresServer> | null = null;
let made = 0;

/** SQLite and Postgres; Postgres starts on first use and stops with stopDatabases. */
export const DATABASE_KINDS: DatabaseKind[] = [
  { kind: 'sqlite', fresh: async () => ({ kind: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'nt-data-')), 'server.db') }) },
  {
    kind: 'postgres',
    fresh: async () => {
      postgres ??= startPostgres();
      return { kind: 'postgres', url: await (await postgres).createDatabase(`test_${process.pid}_${++made}`) };
    },
  },
];

export async function stopDatabases(): Promise<void> {
  const running = postgres;
  postgres = null;
  if (running) await (await running).stop();
}
