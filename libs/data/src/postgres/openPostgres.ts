import pg from 'pg';

/** How many connections one server keeps to Postgres: enough for its loops and requests, few enough for many replicas. */
const POOL_SIZE = 10;

/**
 * A pool over DATABASE_URL. BIGINT (ms timestamps, counts, sizes) and NUMERIC (sums) come back as numbers,
 * as SQLite gives them, not as strings: every value we keep fits in a double.
 */
export function openPostgresPool(url: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server closes (a restart, a failover) is dropped from the pool, not thrown.
  pool.on('error', () => undefined);
  return pool;
}
