import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the container suites share: a token file, free loopback ports, and compose (v2 or Debian's 1.29). */

/** A token file the image's user (uid 10001) can read, as a Docker secret is mounted. */
export function tokenFile(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'nt-secret-')), 'worker-token');
  writeFileSync(file, content);
  chmodSync(file, 0o644);
  return file;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export { compose, freePortRange } from '@nt/smoke-runner';
