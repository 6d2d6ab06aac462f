/**
 * TEST HELPER (vitest globalSetup of the integration suites): the database matrix. With
 * NT_TEST_DATABASE=postgres one real Postgres (Debian's package, its own data directory and port) runs
 * for the whole run, and every test server gets a fresh database on it; otherwise each gets a SQLite
 * file, as a user's server does. `nx run server:integration` runs both.
 */
import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresServer } from '@nt/test-fixtures';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The matrix's Postgres (its admin database), or '' when the suites run on SQLite. */
    postgresUrl: string;
  }
}

let postgres: PostgresServer | null = null;

export async function setup(project: TestProject): Promise<void> {
  const kind = process.env['NT_TEST_DATABASE'] ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`NT_TEST_DATABASE must be sqlite or postgres, got ${JSON.stringify(kind)}`);
  postgres = kind === 'postgres' ? await startPostgres() : null;
  project.provide('postgresUrl', postgres?.url ?? '');
}

export async function teardown(): Promise<void> {
  await postgres?.stop();
  postgres = null;
}
