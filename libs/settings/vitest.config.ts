import { defineConfig } from 'vitest/config';

// Sibling libraries resolve to their sources: `npm run test:unit` passes on a fresh clone, before anything is built.
export default defineConfig({
  resolve: { conditions: ['@nt/source'] },
  ssr: { resolve: { conditions: ['@nt/source'] } },
  test: { include: ['src/**/*.spec.ts'], environment: 'node' },
});
