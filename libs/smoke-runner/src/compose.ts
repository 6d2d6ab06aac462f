import { execFile, execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const COMPOSE_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docker', 'compose.yaml');

/** The compose tool the machine has: the v2 plugin, else Debian's docker-compose 1.29. */
export function composeCommand(): [string, ...string[]] {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return ['docker', 'compose'];
  } catch {
    return ['docker-compose'];
  }
}

/** docker/compose.yaml with these arguments and environment; never rejects (the exit code says it). */
export function compose(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  const [command, ...rest] = composeCommand();
  return new Promise((done) =>
    execFile(command, [...rest, '-f', COMPOSE_FILE, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    ),
  );
}
