import { defineConfig } from 'vitest/config';

// Unit specs only: no Python, no network, milliseconds each. Sibling libraries resolve to their sources.
export default defineConfig({
  resolve: { conditions: ['@nt/source'] },
  ssr: { resolve: { conditions: ['@nt/source'] } },
  test: { include: ['src/**/*.spec.ts'], environment: 'node', passWithNoTests: true },
});
