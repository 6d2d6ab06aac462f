import react from '@vitejs/plugin-react';
import { defaultClientConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// In development the UI talks to `nx run server:serve` through this proxy; in production the server serves dist/.
const server = process.env['NODETOOL_SERVER_URL'] ?? 'http://127.0.0.1:7777';
export default defineConfig({
  plugins: [react()],
  // Workspace libraries (@nt/display) are bundled from their TypeScript sources, as the tests and typecheck read them.
  resolve: { conditions: ['@nt/source', ...defaultClientConditions] },
  // The specs run on Node (vitest's SSR resolution): they read the libraries from source too, built or not.
  ssr: { resolve: { conditions: ['@nt/source'] } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/api': server, '/health': server, '/ws': { target: server.replace(/^http/, 'ws'), ws: true } } },
  test: { include: ['src/**/*.spec.ts'], environment: 'node' },
});
