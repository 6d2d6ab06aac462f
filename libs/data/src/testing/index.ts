export { RELEASED_MIGRATION_SQL, RENTED_WORKERS_BEFORE_A3559EB } from './releasedMigrations.js';
export { DATABASE_KINDS, stopDatabases, type DatabaseKind } from './bothDatabases.js';
