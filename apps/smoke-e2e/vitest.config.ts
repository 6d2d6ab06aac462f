import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@nt/source'] },
  ssr: { resolve: { conditions: ['@nt/source'] } },
  test: { include: ['src/**/*.e2e.ts'], environment: 'node', testTimeout: 180_000, hookTimeout: 240_000, fileParallelism: false },
});
