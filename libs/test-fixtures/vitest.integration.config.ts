import { defineConfig } from 'vitest/config';

// Integration suites: the real worker (its Python environment from nx run worker:setup), processes, sockets.
export default defineConfig({
  resolve: { conditions: ['@nt/source'] },
  ssr: { resolve: { conditions: ['@nt/source'] } },
  test: { include: ['src/**/*.integration.ts'], environment: 'node', testTimeout: 30_000 },
});
