import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureProviderApi } from '@nt/providers/testing';
import { FIXTURE_NODE_TYPES, FIXTURE_WORKER_ENV, projectWorkerPython, spawnRealWorker, type RealWorker } from '@nt/test-fixtures';

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
    expect(JSON.parse(run.stdout)).toMatchObject({
      transport: 'websocket',
      protocol_version: 6,
      node_count: FIXTURE_NODE_TYPES.length,
      namespaces: ['fixtures'],
      load_errors: [],
    });
  });

  it('prints a human summary with --url and --token, warning that a token in argv is visible in ps', async () => {
    const run = await nodetool(['worker', 'status', '--url', worker.url, '--token', TOKEN]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(String.raw`protocol\s+6\n\s+nodes\s+${FIXTURE_NODE_TYPES.length}\n\s+namespaces\s+fixtures\n\s+load errors\s+none\n\s+round trip\s+[\d.]+ ms`),
    );
    expect(run.stderr).toMatch(/warning: a token given on the command line is visible to other users in `ps`; use NODETOOL_WORKER_TOKEN or --token-file/);
  });

  it('reads the token from --token-file or NODETOOL_WORKER_TOKEN_FILE, with no warning', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nt-cli-token-')), 'token');
    writeFileSync(file, `${TOKEN}\n`);
    const byFlag = await nodetool(['worker', 'status', '--worker-url', worker.url, '--token-file', file, '--json']);
    expect(byFlag.code).toBe(0);
    expect(byFlag.stderr).toBe('');
    const byEnv = await nodetool(['worker', 'status', '--json'], { NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN_FILE: file });
    expect(byEnv.code).toBe(0);
  });

  it('exits 2 with one line naming the setting on a bad URL or a missing token file, never a stack trace', async () => {
    const badUrl = await nodetool(['worker', 'status'], { NODETOOL_WORKER_URL: 'foo://x' });
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toBe(
      'nodetool: the worker URL (NODETOOL_WORKER_URL or --worker-url) must start with ws://, wss://, runpod:// or vast://, got "foo://x"\n',
    );
    // A token over plain ws:// to a public address: refused before anything connects.
    const exposed = await nodetool(['worker', 'status'], { NODETOOL_WORKER_URL: 'ws://203.0.113.7:7777', NODETOOL_WORKER_TOKEN: TOKEN });
    expect(exposed.code).toBe(2);
    expect(exposed.stderr).toMatch(
      /^nodetool: refusing to send the worker token over plain ws:\/\/ to ws:\/\/203\.0\.113\.7:7777 \(203\.0\.113\.7, a public address\)/,
    );
    expect(exposed.stderr).toMatch(/NODETOOL_WORKER_ALLOW_PLAINTEXT=1/);
    expect(exposed.stderr).not.toContain(TOKEN);
    const missing = await nodetool(['worker', 'status'], { NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN_FILE: '/nonexistent/token' });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('nodetool: cannot read NODETOOL_WORKER_TOKEN_FILE /nonexistent/token: ENOENT\n');
    const run = await nodetool(['workflows', 'run', 'whatever.json'], { NODETOOL_WORKER_URL: 'foo://x' });
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(/\n\s+at /);
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

  it('exits 2 on an unknown command or option, saying which', async () => {
    const command = await nodetool(['worker', 'stats']);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(
      /^nodetool worker: unknown command "stats" \(status, profile, create, list, stop, start, destroy, capacity\)\n\nUsage: nodetool worker status/,
    );
    const option = await nodetool(['worker', 'status', '--bogus']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/Unknown option '--bogus'/);
  });
});

describe('nodetool worker status against a pool', () => {
  let good: RealWorker;
  let other: RealWorker;
  beforeAll(async () => {
    [good, other] = await Promise.all([spawnRealWorker({ token: TOKEN }), spawnRealWorker({ token: 'the-other-workers-token' })]);
  }, 60_000);
  afterAll(async () => {
    await good.kill();
    await other.kill();
  });

  it('checks every worker of NODETOOL_WORKER_URL and exits 3 naming the one that is unreachable', async () => {
    const run = await nodetool(['worker', 'status'], { NODETOOL_WORKER_URL: `${good.url},ws://127.0.0.1:9`, NODETOOL_WORKER_TOKEN: TOKEN });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(`Worker ${good.url} (websocket)`);
    expect(run.stdout).toMatch(/Worker ws:\/\/127\.0\.0\.1:9: UNREACHABLE\n\s+Cannot reach the worker at ws:\/\/127\.0\.0\.1:9/);
    expect(run.stderr).toContain('1 of 2 workers OK; failing: ws://127.0.0.1:9');
  });

  it("uses each worker's own token from a workers file, and exits 4 naming the one that rejects it (JSON lists each)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nt-cli-pool-'));
    const file = join(dir, 'workers.json');
    writeFileSync(
      file,
      JSON.stringify({
        workers: [
          { url: good.url, token: TOKEN },
          { url: other.url, token: 'wrong-token-0123456789' },
        ],
      }),
    );
    const run = await nodetool(['worker', 'status', '--json'], { NODETOOL_WORKERS_FILE: file });
    expect(run.code).toBe(4);
    const reports = JSON.parse(run.stdout);
    expect(reports).toEqual([
      expect.objectContaining({ id: good.url, ok: true, protocol_version: 6 }),
      expect.objectContaining({ id: other.url, ok: false, exit_code: 4, error: expect.stringContaining('rejected') }),
    ]);
    expect(run.stdout + run.stderr).not.toContain('the-other-workers-token');
  });

  it('reaches a rented worker by vast:// and runpod://, and says why not with the documented exit codes, never the key', async () => {
    const keys = { runpod: 'rpa_cli_fixture_key_42', vast: 'vast-cli-fixture-key-42' };
    const providers = await startFixtureProviderApi(keys);
    try {
      providers.instanceAt('4242', '127.0.0.1', good.port);
      providers.setPod('podexited1', { desiredStatus: 'EXITED', ports: null });
      const env = { NODETOOL_WORKER_TOKEN: TOKEN, NODETOOL_VAST_API_URL: providers.vastUrl, NODETOOL_RUNPOD_API_URL: providers.runpodUrl };
      const found = await nodetool(['worker', 'status', '--json', '--worker-url', 'vast://4242'], { ...env, VAST_API_KEY: keys.vast });
      expect(found.code, found.stderr).toBe(0);
      expect(JSON.parse(found.stdout)).toMatchObject({ transport: 'websocket', protocol_version: 6 });

      const noKey = await nodetool(['worker', 'status', '--worker-url', 'runpod://podexited1'], env);
      expect(noKey.code).toBe(2);
      expect(noKey.stderr).toMatch(/runpod:\/\/ workers need RUNPOD_API_KEY/);
      const rejected = await nodetool(['worker', 'status', '--worker-url', 'vast://4242'], { ...env, VAST_API_KEY: 'not-the-key-at-all' });
      expect(rejected.code).toBe(2);
      expect(rejected.stderr).toMatch(/The Vast.ai API refused VAST_API_KEY \(HTTP 403\)/);
      const stopped = await nodetool(['worker', 'status', '--worker-url', 'runpod://podexited1'], { ...env, RUNPOD_API_KEY: keys.runpod });
      expect(stopped.code).toBe(3);
      expect(stopped.stderr + stopped.stdout).toMatch(/RunPod pod podexited1 is not running \(its status: EXITED\)/);
      // A pod without TLS on a public address: the token is not sent in the clear; the check comes before any connection.
      providers.podAt('podpublic1', '203.0.113.9', 41234);
      const exposed = await nodetool(['worker', 'status', '--worker-url', 'runpod://podpublic1'], { ...env, RUNPOD_API_KEY: keys.runpod });
      expect(exposed.code).toBe(2);
      expect(exposed.stderr).toMatch(/refusing to send the worker token over plain ws:\/\/ to ws:\/\/203\.0\.113\.9:41234 .*\?tls=1/);
      for (const run of [found, noKey, rejected, stopped, exposed]) {
        expect(run.stdout + run.stderr).not.toContain(keys.runpod);
        expect(run.stdout + run.stderr).not.toContain(keys.vast);
        expect(run.stdout + run.stderr).not.toContain('not-the-key-at-all');
      }
    } finally {
      await providers.close();
    }
  });
});
