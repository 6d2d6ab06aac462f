import { defineConfig } from 'vitest/config';

// Container suites: one engine, run one file at a time, generous timeouts (images start in seconds, builds are done first).
export default defineConfig({
  resolve: { conditions: ['@nt/source'] },
  ssr: { resolve: { conditions: ['@nt/source'] } },
  test: {
    include: ['src/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    globalSetup: ['src/engine.globalSetup.ts'],
  },
});
