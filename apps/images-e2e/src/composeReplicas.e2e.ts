import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv, startServer, type RunningServer } from '@nt/server';
import { docker, healthOf, seedHfCache, waitFor } from '@nt/smoke-runner';
import { compose, freePortRange, tokenFile } from './composeTools.js';
import { at } from './repoPaths.js';

// `docker compose up --scale hf-worker=2`: two replicas of the HF worker, each on its own port of a
// 127.0.0.1 range, sharing the model volume; one server drives both as a pool.
const HF_IMAGE = process.env['HF_IMAGE'] ?? 'nodetool-hf:local';
const CORE_IMAGE = process.env['CORE_IMAGE'] ?? 'nodetool-core:local';
const TOKEN = `replicas-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;

describe('docker/compose.yaml scaled to two HF workers, driven as one pool', () => {
  const project = `ntscale${Math.random().toString(36).slice(2, 8)}`;
  let env: Record<string, string>;
  let first: number;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    first = await freePortRange(2);
    env = {
      HF_IMAGE,
      CORE_IMAGE,
      NODETOOL_WORKER_HOST_PORT: `${first}-${first + 1}`,
      NODETOOL_WORKER_TOKEN_FILE: tokenFile(`${TOKEN}\n`),
      NODETOOL_WORKER_MEMORY: '4g',
      HF_HUB_OFFLINE: '1',
    };
    // The shared volume, with the model in it (compose uses the existing one of that name).
    await seedHfCache(`${project}_hf-cache`, HF_IMAGE);
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await compose(['-p', project, '--profile', 'cpu', 'down', '-v'], env ?? {});
  });

  it('starts two replicas, each healthy on its own 127.0.0.1 port of the range', async () => {
    const up = await compose(['-p', project, '--profile', 'cpu', 'up', '-d', '--no-build', '--scale', 'hf-worker=2', 'hf-worker'], env);
    expect(up.code, up.output).toBe(0);
    const ids = (
      await docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', 'label=com.docker.compose.service=hf-worker'])
    ).split('\n');
    expect(ids).toHaveLength(2);
    await waitFor(async () => (await Promise.all(ids.map(healthOf))).every((state) => state === 'healthy'), 180_000, 'both replicas to report healthy');
    const ports = (await Promise.all(ids.map((id) => docker(['port', id, '7777/tcp'])))).sort();
    expect(ports).toEqual([`127.0.0.1:${first}`, `127.0.0.1:${first + 1}`]);
  }, 240_000);

  it('runs two smoke workflows at once, one on each replica, through a server given both URLs', async () => {
    server = await startServer({
      ...configFromEnv({
        HOST: '127.0.0.1',
        PORT: '0',
        NODETOOL_DB: ':memory:',
        NODETOOL_WORKER_URL: `ws://127.0.0.1:${first},ws://127.0.0.1:${first + 1}`,
        NODETOOL_WORKER_TOKEN_FILE: env['NODETOOL_WORKER_TOKEN_FILE'] as string,
        NODETOOL_WORKER_MAX_CONCURRENT_RUNS: '1',
      }),
      webRoot: null,
    });
    const health = async () => (await (await fetch(`${(server as RunningServer).url}/health`)).json()) as { pool: { connected: number } };
    await waitFor(async () => (await health()).pool.connected === 2, 120_000, 'the pool to connect both replicas');
    const workflow = JSON.parse(readFileSync(at('examples/hf-worker-smoke.json'), 'utf8'));
    const run = () =>
      fetch(`${(server as RunningServer).url}/api/run?wait=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ workflow }),
      }).then(
        (response) =>
          response.json() as Promise<{
            status: string;
            error?: string;
            result: { outputs: Record<string, unknown>; nodes: Record<string, { worker?: string }> };
          }>,
      );
    const jobs = await Promise.all([run(), run()]);
    for (const job of jobs) expect(job.status, job.error).toBe('completed');
    expect(new Set(jobs.map((job) => job.result.nodes['embed_a']?.worker))).toEqual(new Set([`ws://127.0.0.1:${first}`, `ws://127.0.0.1:${first + 1}`]));
    const similarities = jobs.map((job) => job.result.outputs['similarity'] as number);
    expect(similarities[0]).toBeCloseTo(similarities[1] as number, 6);
  }, 240_000);
});
