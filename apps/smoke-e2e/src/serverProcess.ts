import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_REAL_PROVIDER } from '@nt/providers/testing';
import { REPO_ROOT } from '@nt/test-fixtures';

export interface ServerProcess {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the built server (apps/server/dist/main.js) as a user would, on a free port, with its own database. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'apps', 'server', 'dist', 'main.js')], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      NODETOOL_DB: join(mkdtempSync(join(tmpdir(), 'nt-smoke-e2e-')), 'server.db'),
      NODETOOL_WEB_ROOT: join(REPO_ROOT, 'apps', 'web', 'dist'),
      // No test talks to a real provider: one the suite did not point at its fixture is a closed port.
      ...NO_REAL_PROVIDER,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
