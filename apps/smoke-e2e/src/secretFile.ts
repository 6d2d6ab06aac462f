import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A secret file the containers' users (10001, postgres) can read, as compose mounts it. */
export function secretFile(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'nt-compose-secret-')), 'secret');
  writeFileSync(file, content);
  chmodSync(file, 0o644);
  return file;
}
