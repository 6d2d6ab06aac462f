import { defineConfig } from 'vitest/config';

/**
 * The suites whose server keeps what they check in the database: they run on both databases (the
 * matrix, NT_TEST_DATABASE). The others run once, on SQLite: a worker's models and streams
 * (fillMask, hfStreams, models, load), memory and logs of a server process (assetMemory, logs), and
 * SQLite's own file under a lock (resilience).
 */
const DATABASE_SUITES = [
  'api',
  'assetOffload',
  'assets',
  'assetsS3',
  'autoscaled',
  'inputs',
  'limits',
  'metrics',
  'pool',
  'probes',
  'rented',
  'retention',
  'scaling',
  'security',
  'sessions',
  'streams',
  'ws',
];
const onPostgres = process.env['NT_TEST_DATABASE'] === 'postgres';

// Integration suites: the real worker (its Python environment from nx run worker:setup), processes, sockets.
export default defineConfig({
  resolve: { conditions: ['@nt/source'] },
  ssr: { resolve: { conditions: ['@nt/source'] } },
  test: {
    include: onPostgres ? DATABASE_SUITES.map((suite) => `src/${suite}.integration.ts`) : ['src/**/*.integration.ts'],
    environment: 'node',
    testTimeout: 30_000,
    globalSetup: ['src/testing/databaseMatrix.ts'],
  },
});
