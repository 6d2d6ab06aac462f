import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_WORKER_ENV, projectWorkerPython, spawnRealWorker, type RealWorker } from '@nt/worker-auth-fixtures';

const BIN = fileURLToPath(new URL('../bin/nodetool.js', import.meta.url));
const TOKEN = 'cli-status-token-91ab';

/** Runs the built `nodetool` binary as a user would; resolves with its exit code and both streams. */
function nodetool(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...FIXTURE_WORKER_ENV, NODETOOL_PYTHON: projectWorkerPython('core'), ...env };
  if (!('NODETOOL_WORKER_URL' in env)) delete childEnv['NODETOOL_WORKER_URL'];
  if (!('NODETOOL_WORKER_TOKEN' in env)) delete childEnv['NODETOOL_WORKER_TOKEN'];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: childEnv }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('nodetool worker status against the real worker', () => {
  let worker: RealWorker;
  beforeAll(async () => {
    worker = await spawnRealWorker({ token: TOKEN });
  }, 60_000);
  afterAll(() => worker.kill());

  it('prints the protocol version as JSON with the token from the environment', async () => {
    const run = await nodetool(['worker', 'status', '--json'], { NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ transport: 'websocket', protocol_version: 6, node_count: 8, namespaces: ['fixtures'], load_errors: [] });
  });

  it('prints a human summary with --url and --token', async () => {
    const run = await nodetool(['worker', 'status', '--url', worker.url, '--token', TOKEN]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/protocol\s+6\n\s+nodes\s+8\n\s+namespaces\s+fixtures\n\s+load errors\s+none\n\s+round trip\s+[\d.]+ ms/);
  });

  it('exits 4 within 5 seconds on a wrong token and prints no token', async () => {
    const wrong = 'wrong-token-value-3c';
    const run = await nodetool(['worker', 'status', '--json'], { NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: wrong });
    expect(run.code).toBe(4);
    expect(run.ms).toBeLessThan(5_000);
    expect(run.stderr).toMatch(/rejected the token \(HTTP 401\)/);
    expect(run.stdout + run.stderr).not.toContain(wrong);
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  it('exits 3 when nothing listens at the URL', async () => {
    const run = await nodetool(['worker', 'status', '--url', 'ws://127.0.0.1:9']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/Cannot reach the worker at ws:\/\/127\.0\.0\.1:9/);
  });

  it('uses a local stdio worker when no URL is configured', async () => {
    const run = await nodetool(['worker', 'status', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ transport: 'stdio', protocol_version: 6, namespaces: ['fixtures'] });
  }, 60_000);

  it('exits 2 on an unknown command or option', async () => {
    expect((await nodetool(['worker', 'stats'])).code).toBe(2);
    expect((await nodetool(['worker', 'status', '--bogus'])).code).toBe(2);
  });
});
