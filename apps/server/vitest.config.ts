import { defineConfig } from 'vitest/config';

// Sibling libraries resolve to their TypeScript sources, so tests need no build first.
export default defineConfig({
  resolve: { conditions: ['@nt/source'] },
  ssr: { resolve: { conditions: ['@nt/source'] } },
  test: { include: ['src/**/*.spec.ts', 'src/**/*.integration.ts'], environment: 'node', testTimeout: 30_000 },
});
