import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerLogs,
  docker,
  engineHost,
  freeLoopbackPort,
  healthOf,
  startWorkerContainer,
  waitFor,
  workerUid,
  type RunningContainer,
} from '@nt/smoke-runner';
import { startFixtureHub, type FixtureHub } from '@nt/test-fixtures';
import { at } from './repoPaths.js';

// A provider's host starts the image as root and mounts its volume root-owned: RunPod at /workspace,
// Vast.ai at /data (or, on an instance without a volume, nothing there at all). HF_HOME and the TLS
// directory go under it. The entrypoint must make them the worker's and drop to uid 10001, with no
// manual chown; a model download and the TLS setup then work through it. Started as 10001 (compose,
// Kubernetes), nothing changes.
const CORE_IMAGE = process.env['CORE_IMAGE'] ?? 'nodetool-core:local';
const TOKEN = `volume-token-${randomBytes(8).toString('hex')}`;
const REPO = 'fixtures/tiny-model';
let hub: FixtureHub;
const containers: RunningContainer[] = [];

beforeAll(async () => {
  process.env['DOCKER_HOST'] ??= engineHost();
  hub = await startFixtureHub([
    { repoId: REPO, files: { 'config.json': new TextEncoder().encode('{"model_type": "bert"}'), 'model.safetensors': randomBytes(2_000_000) } },
  ]);
});
afterAll(async () => {
  for (const container of containers) await container.remove();
  await hub?.close();
});

function nodetool(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [at('apps/cli/bin/nodetool.js'), ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/** A host directory as a provider's volume is: root-owned, the worker's user may read it but not write. */
function rootOwnedVolume(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nt-provider-volume-'));
  chmodSync(dir, 0o755);
  expect(statSync(dir).uid).toBe(0);
  return dir;
}

/** The core image as a provider's host runs it (root, the volume at `mount`), serving wss:// on a loopback port of the host. */
async function asProviderRunsIt(mount: string, volume: string | null): Promise<RunningContainer & { wss: string }> {
  const port = await freeLoopbackPort();
  const container = await startWorkerContainer(CORE_IMAGE, {
    token: TOKEN,
    hostNetworkPort: port,
    binds: volume ? { [volume]: mount } : {},
    env: {
      HF_HOME: `${mount}/huggingface`,
      HF_ENDPOINT: hub.url,
      HF_HUB_OFFLINE: '0',
      NODETOOL_WORKER_TLS: 'self-signed',
      NODETOOL_WORKER_TLS_DIR: `${mount}/nodetool-tls`,
      // Host networking: the worker's inner port is on the host's loopback too.
      NODETOOL_WORKER_TLS_INNER_PORT: String(await freeLoopbackPort()),
    },
  });
  containers.push(container);
  return { ...container, wss: container.url.replace('ws://', 'wss://') };
}

describe.each([
  ['RunPod', '/workspace'],
  ['Vast.ai', '/data'],
])(`${CORE_IMAGE} started as root by %s's host, its root-owned volume at %s`, (_provider, mount) => {
  let volume: string;
  let worker: RunningContainer & { wss: string };

  beforeAll(async () => {
    volume = rootOwnedVolume();
    worker = await asProviderRunsIt(mount, volume);
    await waitFor(async () => (await healthOf(worker.name)) === 'healthy', 120_000, `${worker.name} to report healthy`);
  }, 180_000);

  it('runs the worker as uid 10001, having made only HF_HOME and the TLS directory its own', async () => {
    expect(await workerUid(worker.name)).toBe('10001');
    expect(statSync(volume).uid).toBe(0);
    expect(statSync(join(volume, 'huggingface')).uid).toBe(10001);
    const key = statSync(join(volume, 'nodetool-tls', 'key.pem'));
    expect(key.uid).toBe(10001);
    expect(key.mode & 0o777).toBe(0o600);
  });

  it('downloads a model into HF_HOME on the volume, over wss:// pinned to the certificate it made there', async () => {
    const fingerprint = /NODETOOL_WORKER_TLS_FINGERPRINT=([0-9A-F:]{95})/.exec(await containerLogs(worker.name))?.[1] as string;
    expect(fingerprint).toBeDefined();
    const env = { NODETOOL_WORKER_URL: worker.wss, NODETOOL_WORKER_TOKEN: TOKEN, NODETOOL_WORKER_TLS_FINGERPRINT: fingerprint };
    const fetched = await nodetool(['models', 'download', REPO, '--json'], env);
    expect(fetched.code, fetched.stderr).toBe(0);
    const cached = join(volume, 'huggingface', 'hub', 'models--fixtures--tiny-model');
    expect(readdirSync(join(cached, 'snapshots')).length).toBe(1);
    expect(statSync(cached).uid).toBe(10001);
    expect(hub.requests.some((request) => request.includes('model.safetensors'))).toBe(true);
  }, 120_000);
});

describe(`${CORE_IMAGE} on a Vast.ai instance with no volume at all`, () => {
  it('makes /data in the container and serves TLS from it', async () => {
    const worker = await asProviderRunsIt('/data', null);
    await waitFor(async () => (await healthOf(worker.name)) === 'healthy', 120_000, `${worker.name} to report healthy`);
    expect(await docker(['exec', worker.name, 'stat', '-c', '%u', '/data/huggingface', '/data/nodetool-tls'])).toBe('10001\n10001');
    expect(await workerUid(worker.name)).toBe('10001');
  }, 180_000);
});

describe(`${CORE_IMAGE} started as uid 10001, as compose and Kubernetes start it`, () => {
  it('behaves as before: healthy, the worker as 10001, nothing to drop', async () => {
    const worker = await startWorkerContainer(CORE_IMAGE, { token: TOKEN, user: '10001:10001' });
    containers.push(worker);
    await waitFor(async () => (await healthOf(worker.name)) === 'healthy', 120_000, `${worker.name} to report healthy`);
    expect(await workerUid(worker.name)).toBe('10001');
    expect(await containerLogs(worker.name)).not.toMatch(/warning/);
  }, 180_000);

  it('says, without failing, that a root-owned HF_HOME cannot take downloads', async () => {
    const volume = rootOwnedVolume();
    const worker = await startWorkerContainer(CORE_IMAGE, {
      token: TOKEN,
      user: '10001:10001',
      binds: { [volume]: '/workspace' },
      env: { HF_HOME: '/workspace/huggingface' },
    });
    containers.push(worker);
    await waitFor(async () => (await healthOf(worker.name)) === 'healthy', 120_000, `${worker.name} to report healthy`);
    expect(await containerLogs(worker.name)).toMatch(
      /warning: HF_HOME \/workspace\/huggingface is not writable by uid 10001, so models cannot be downloaded into it \(start the container as root/,
    );
  }, 180_000);
});
