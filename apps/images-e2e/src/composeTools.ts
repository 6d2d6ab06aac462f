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

/** `count` consecutive ports free on 127.0.0.1 right now: a host port range for scaled replicas. */
export async function freePortRange(count: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const first = 20_000 + Math.floor(Math.random() * 20_000);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => portIsFree(first + i)));
    if (free.every(Boolean)) return first;
  }
  throw new Error(`found no ${count} consecutive free ports`);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export { compose } from '@nt/smoke-runner';
