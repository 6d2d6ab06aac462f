import { defineConfig } from 'vitest/config';

// Integration suites: a real Postgres (Debian's package, a data directory of the suite's own) and SQLite files.
export default defineConfig({
  resolve: { conditions: ['@nt/source'] },
  ssr: { resolve: { conditions: ['@nt/source'] } },
  test: { include: ['src/**/*.integration.ts'], environment: 'node', testTimeout: 60_000 },
});
