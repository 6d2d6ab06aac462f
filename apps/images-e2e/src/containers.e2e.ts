import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAuthConformance } from '@nt/worker-auth-fixtures';
import { checkSmokeResult, docker, healthOf, seedHfCache, startWorkerContainer, waitFor, type RunningContainer } from '@nt/smoke-runner';
import { at } from './repoPaths.js';

const CORE_IMAGE = process.env['CORE_IMAGE'] ?? 'nodetool-core:local';
const HF_IMAGE = process.env['HF_IMAGE'] ?? 'nodetool-hf:local';
const TOKEN = `e2e-token-${Math.random().toString(36).slice(2)}`;

function nodetool(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [at('apps/cli/bin/nodetool.js'), ...args], { env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

async function expectHealthy(container: RunningContainer): Promise<void> {
  await waitFor(async () => (await healthOf(container.name)) === 'healthy', 90_000, `${container.name} to report healthy`);
}

describe(`${CORE_IMAGE} container`, () => {
  let worker: RunningContainer;
  beforeAll(async () => {
    worker = await startWorkerContainer(CORE_IMAGE, { token: TOKEN });
  });
  afterAll(() => worker?.remove());

  it('reports healthy with a token set, while a probe without the header is refused (the reference image probe)', async () => {
    await expectHealthy(worker);
    const headerless = await docker(['exec', '-e', 'NODETOOL_WORKER_TOKEN=', worker.name, 'python', '/opt/nodetool/healthcheck.py']).catch(
      (e: Error) => e.message,
    );
    expect(headerless).toMatch(/unhealthy: the worker answered HTTP 401/);
  });

  it('runs the worker as a non-root user', async () => {
    expect(await docker(['exec', worker.name, 'id', '-u'])).toBe('10001');
  });

  it('answers worker status through the bridge with the token', async () => {
    const run = await nodetool(['worker', 'status', '--json'], { NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ transport: 'websocket', protocol_version: 6 });
  });
});

describeAuthConformance(
  `${CORE_IMAGE} container`,
  async (token) => {
    const container = await startWorkerContainer(CORE_IMAGE, { token });
    return { url: container.url, stop: () => container.remove() };
  },
  { timeoutMs: 180_000 },
);

describe(`${HF_IMAGE} container with the model offline in its cache volume`, () => {
  const volume = `nt-e2e-hf-cache-${Math.random().toString(36).slice(2, 8)}`;
  let worker: RunningContainer;
  beforeAll(async () => {
    await seedHfCache(volume, HF_IMAGE);
    worker = await startWorkerContainer(HF_IMAGE, { token: TOKEN, volume, env: { HF_HUB_OFFLINE: '1' } });
  });
  afterAll(async () => {
    await worker?.remove();
    await docker(['volume', 'rm', '-f', volume]).catch(() => '');
  });

  it('reports healthy with a token set', async () => {
    await expectHealthy(worker);
  });

  it('lists the HuggingFace nodes through nodetool worker status', async () => {
    const run = await nodetool(['worker', 'status', '--json'], { NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN });
    expect(run.code).toBe(0);
    const status = JSON.parse(run.stdout);
    expect(status.namespaces).toContain('huggingface');
    expect(status.node_count).toBeGreaterThan(100);
  });

  it('runs the smoke workflow against the container and returns real embeddings', async () => {
    const run = await nodetool(['workflows', 'run', at('examples/hf-worker-smoke.json'), '--json'], {
      NODETOOL_WORKER_URL: worker.url,
      NODETOOL_WORKER_TOKEN: TOKEN,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe('completed');
    expect(checkSmokeResult(result.outputs).failures).toEqual([]);
  });
});

describeAuthConformance(
  `${HF_IMAGE} container`,
  async (token) => {
    const container = await startWorkerContainer(HF_IMAGE, { token });
    return { url: container.url, stop: () => container.remove() };
  },
  { timeoutMs: 180_000 },
);
