import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './realWorker.js';
import { freePort } from './freePort.js';

/** What a client of the test S3 server needs: its endpoint, and keys it accepts (any are). */
export interface S3TestServer {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Every request line it answered ("PUT /bucket/key?uploadId=…"), for asserting what went where. */
  requests(): string[];
  close(): Promise<void>;
}

const VENV = join(REPO_ROOT, 'libs', 'test-fixtures', 's3', '.venv');

/**
 * TEST FIXTURE: moto's server mode, a real S3 API server (not ours), on a free 127.0.0.1 port, with
 * an empty state. Needs `nx run test-fixtures:setup-s3`.
 */
export async function startS3Server(): Promise<S3TestServer> {
  const executable = join(VENV, 'bin', 'moto_server');
  if (!existsSync(executable)) throw new Error('the S3 test server is not installed: run `npx nx run test-fixtures:setup-s3` first');
  const port = await freePort();
  const child: ChildProcess = spawn(executable, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const match of chunk.toString().matchAll(/"((?:GET|PUT|POST|DELETE|HEAD) [^ ]+) HTTP/g)) lines.push(match[1] as string);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}:\n${output}`);
    const up = await fetch(`${endpoint}/moto-api/`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`moto_server did not answer on ${endpoint}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    endpoint,
    accessKeyId: 'moto-test-key-id',
    secretAccessKey: 'moto-test-secret-access-key',
    region: 'us-east-1',
    requests: () => [...lines],
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
