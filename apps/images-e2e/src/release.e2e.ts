import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, healthOf, startWorkerContainer, waitFor, type RunningContainer } from '@nt/smoke-runner';
import { startLocalRegistry, type LocalRegistry } from './localRegistry.js';
import { at } from './repoPaths.js';

const TOKEN = `release-e2e-${Math.random().toString(36).slice(2)}`;
const NAMESPACE = 'nodetool-e2e';

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(command, args, { cwd: at('.'), env: { ...process.env, ...env }, maxBuffer: 256 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

const layersOf = async (reference: string) => JSON.parse(await docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', reference])) as string[];

// The whole way a rented host gets its image: nx release (@nx/docker) tags and pushes the images to a
// real registry, the local references are removed, the HF image is pulled back by its tag, and the
// pulled container turns healthy with a token.
describe('nx run image-release:release to a registry on 127.0.0.1', () => {
  let registry: LocalRegistry;
  let released: Array<{ project: string; reference: string; digest: string }> = [];
  let worker: RunningContainer | undefined;

  beforeAll(async () => {
    registry = await startLocalRegistry();
  });
  afterAll(async () => {
    await worker?.remove();
    for (const { reference } of released) await docker(['rmi', reference]).catch(() => '');
    await registry?.stop();
  });

  it('pushes the core image, the HF image built on it and the server image, under tags that name the nodetool versions and our commit', async () => {
    const release = await run('npx', ['nx', 'run', 'image-release:release', '--output-style=static'], {
      NODETOOL_REGISTRY: registry.address,
      NODETOOL_REGISTRY_NAMESPACE: NAMESPACE,
      HF_PROFILE: 'cpu',
    });
    expect(release.code, release.stdout + release.stderr).toBe(0);
    released = JSON.parse(release.stdout.slice(release.stdout.indexOf('{\n  "released"'), release.stdout.lastIndexOf('}') + 1)).released;
    const commit = (await run('git', ['rev-parse', '--short=7', 'HEAD'], {})).stdout.trim();
    expect(released.map((image) => image.reference)).toEqual([
      expect.stringMatching(new RegExp(`^${registry.address}/${NAMESPACE}/nodetool-core:core\\d+\\.\\d+\\.\\d+-${commit}$`)),
      expect.stringMatching(new RegExp(`^${registry.address}/${NAMESPACE}/nodetool-hf:hf\\d+\\.\\d+\\.\\d+-core\\d+\\.\\d+\\.\\d+-cpu-${commit}$`)),
      expect.stringMatching(new RegExp(`^${registry.address}/${NAMESPACE}/nodetool-server:server-${commit}$`)),
    ]);
    for (const image of released) {
      const [repository, tag] = image.reference.slice(registry.address.length + 1).split(':') as [string, string];
      expect((await registry.get(`/v2/${repository}/tags/list`)).body).toEqual({ name: repository, tags: [tag] });
      expect(image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    // The HF image sits on exactly the core image that was pushed.
    const [core, hf] = released as [(typeof released)[0], (typeof released)[0]];
    const coreLayers = await layersOf(core.reference);
    expect((await layersOf(hf.reference)).slice(0, coreLayers.length)).toEqual(coreLayers);
    expect(release.stdout + release.stderr).not.toMatch(/:latest\b/);
  }, 1_200_000);

  it('pulls the HF image back by its tag once the local references are gone, and it turns healthy with a token', async () => {
    const hf = released.find((image) => image.project === 'hf-image');
    expect(hf).toBeDefined();
    const reference = hf?.reference as string;
    for (const { reference: pushed } of released) await docker(['rmi', pushed]);
    await expect(docker(['image', 'inspect', reference])).rejects.toThrow(/No such image/);
    await docker(['pull', reference]);
    expect(await docker(['image', 'inspect', '--format', '{{join .RepoDigests " "}}', reference])).toContain(`@${hf?.digest}`);
    worker = await startWorkerContainer(reference, { token: TOKEN });
    await waitFor(async () => (await healthOf(worker?.name as string)) === 'healthy', 120_000, 'the pulled worker to report healthy');
    const status = await run(process.execPath, [at('apps/cli/bin/nodetool.js'), 'worker', 'status', '--json'], {
      NODETOOL_WORKER_URL: worker.url,
      NODETOOL_WORKER_TOKEN: TOKEN,
    });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).namespaces).toContain('huggingface');
  }, 600_000);
});
