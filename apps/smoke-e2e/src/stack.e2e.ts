import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@nt/test-fixtures';
import { compose, docker, engineHost, freeLoopbackPort, healthOf, seedHfCache, waitFor } from '@nt/smoke-runner';
import { launchChromium } from './browser.js';
import { readWorkerChoice } from './hfWorker.js';
import { secretFile } from './secretFile.js';

// `docker compose --profile stack up`: the server image with its UI and two CPU workers it finds by
// DNS on the compose network, as an operator brings it up. Only the server's port is published. The
// smoke workflow runs through the containerised server in the real browser and with the CLI's --server.
const SERVER_IMAGE = process.env['SERVER_IMAGE'] ?? 'nodetool-server:local';
const HF_IMAGE = process.env['HF_IMAGE'] ?? 'nodetool-hf:local';
const SMOKE = join(REPO_ROOT, 'examples', 'hf-worker-smoke.json');
const random = () => Math.random().toString(36).slice(2);
const SERVER_TOKEN = `stack-server-${random()}${random()}`;
const WORKER_TOKEN = `stack-worker-${random()}${random()}`;

// Containers or nothing: without any engine (prepare.sh's stated fallback) there is no stack to bring up.
const engine = readWorkerChoice().worker === 'container';
// In CI a suite that cannot start its real parts fails; prepare.sh refuses there too, this is its backstop.
if (!engine && process.env['CI'] === 'true')
  throw new Error(`CI=true and no container engine: the compose stack suite cannot run (${readWorkerChoice().reason})`);
if (!engine) console.log('smoke-e2e: no container engine could be started, so the compose stack suite does not run (see worker-choice.json)');

describe.runIf(engine)('the whole stack in compose: server image + two CPU workers', () => {
  const project = `ntstack${random().slice(0, 6)}`;
  let env: Record<string, string>;
  let url: string;
  let browser: Browser | undefined;
  const bearer = { authorization: `Bearer ${SERVER_TOKEN}` };

  beforeAll(async () => {
    // Each suite file runs in its own process: this one finds the engine itself (compose and the seed use it).
    process.env['DOCKER_HOST'] ??= engineHost();
    const port = await freeLoopbackPort();
    url = `http://127.0.0.1:${port}`;
    env = {
      SERVER_IMAGE,
      HF_IMAGE,
      NODETOOL_SERVER_HOST_PORT: String(port),
      NODETOOL_SERVER_TOKEN_FILE: secretFile(`${SERVER_TOKEN}\n`),
      NODETOOL_WORKER_TOKEN_FILE: secretFile(`${WORKER_TOKEN}\n`),
      NODETOOL_WORKER_MEMORY: '4g',
      HF_HUB_OFFLINE: '1',
    };
    // The workers' shared model volume, with MiniLM in it (nothing loads from the Hub here).
    await seedHfCache(`${project}_hf-cache`, HF_IMAGE);
    const up = await compose(['-p', project, '--profile', 'stack', 'up', '-d', '--no-build', '--scale', 'stack-worker=2', 'server', 'stack-worker'], env);
    expect(up.code, up.output).toBe(0);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    if (env) {
      const logs = await compose(['-p', project, '--profile', 'stack', 'logs', '--no-color', 'server'], env);
      if (logs.output.includes(SERVER_TOKEN) || logs.output.includes(WORKER_TOKEN)) throw new Error('a token appeared in the server container’s log');
      await compose(['-p', project, '--profile', 'stack', 'down', '-v'], env);
    }
  }, 120_000);

  it('publishes only the server, on 127.0.0.1; the server is healthy and ready once DNS found both workers', async () => {
    const containers = async (service: string) =>
      (await docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`]))
        .split('\n')
        .filter(Boolean);
    const [server] = await containers('server');
    const workers = await containers('stack-worker');
    expect(workers).toHaveLength(2);
    expect(await docker(['port', server as string, '7777/tcp'])).toBe(url.replace('http://', ''));
    for (const worker of workers) expect(await docker(['port', worker])).toBe('');
    // Non-root, no capabilities.
    expect(await docker(['inspect', '--format', '{{.Config.User}} {{.HostConfig.CapDrop}}', server as string])).toBe('10001:10001 [ALL]');

    await waitFor(async () => (await healthOf(server as string)) === 'healthy', 120_000, 'the server container to report healthy');
    await waitFor(async () => (await fetch(`${url}/ready`).catch(() => null))?.status === 200, 240_000, 'the server to be ready');
    const pool = async () => ((await (await fetch(`${url}/health`, { headers: bearer })).json()) as { pool: { connected: number; total: number } }).pool;
    await waitFor(async () => (await pool()).connected === 2, 120_000, 'DNS discovery to connect both workers');
    // Without the token the API says nothing.
    expect((await fetch(`${url}/api/jobs`)).status).toBe(401);
  }, 600_000);

  it('runs the smoke workflow with the CLI’s --server', async () => {
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [join(REPO_ROOT, 'apps', 'cli', 'bin', 'nodetool.js'), 'workflows', 'run', SMOKE, '--server', url, '--json'],
        { env: { ...process.env, NODETOOL_SERVER_TOKEN: SERVER_TOKEN }, maxBuffer: 16 << 20, timeout: 300_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(result.code, result.stderr).toBe(0);
    const run = JSON.parse(result.stdout) as { status: string; outputs: Record<string, unknown> };
    expect(run.status).toBe('completed');
    expect(Number(run.outputs['similarity'])).toBeGreaterThan(0.5);
  }, 300_000);

  it('runs it in the real browser through the containerised server’s UI', async () => {
    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1500, height: 1300 } })).newPage();
    await page.goto(`${url}/?token=${SERVER_TOKEN}`);
    await page.locator('[data-testid="worker-status"][data-state="connected"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('workflow-file').setInputFiles(SMOKE);
    await page.getByRole('heading', { name: 'HF worker smoke: MiniLM embeddings and their similarity' }).waitFor();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('[data-testid="run-status"]', { hasText: /^completed/ }).waitFor({ timeout: 180_000 });
    const similarity = Number(await page.getByTestId('output-similarity').getByTestId('score-value').textContent());
    expect(similarity).toBeGreaterThan(0.5);
    await page.close();

    // The server saw both runs in its metrics.
    const metrics = await (await fetch(`${url}/metrics`, { headers: bearer })).text();
    expect(Number(/^nodetool_runs_finished_total\{status="completed"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
  }, 300_000);
});
