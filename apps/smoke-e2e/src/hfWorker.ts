import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { engineHost, imageAvailable, seedHfCache, startWorkerContainer, docker } from '@nt/smoke-runner';
import { REPO_ROOT, spawnRealWorker } from '@nt/worker-auth-fixtures';

export interface HfWorker {
  url: string;
  kind: 'container' | 'local process';
  stop(): Promise<void>;
}

const IMAGE = process.env['HF_IMAGE'] ?? 'nodetool-hf:local';

/**
 * The HF worker with a token: the HF image's container when an engine and the
 * image are available (the model offline in a seeded volume), else the local
 * worker process from apps/worker/.venv-hf.
 */
export async function startHfWorker(token: string): Promise<HfWorker> {
  let containerPossible = false;
  try {
    process.env['DOCKER_HOST'] ??= engineHost();
    containerPossible = await imageAvailable(IMAGE);
  } catch {
    containerPossible = false;
  }
  if (containerPossible) {
    const volume = `nt-smoke-e2e-${Math.random().toString(36).slice(2, 8)}`;
    await seedHfCache(volume, IMAGE);
    const container = await startWorkerContainer(IMAGE, { token, volume, env: { HF_HUB_OFFLINE: '1' } });
    return {
      url: container.url,
      kind: 'container',
      stop: async () => {
        await container.remove();
        await docker(['volume', 'rm', '-f', volume]).catch(() => '');
      },
    };
  }
  const hfHome = join(REPO_ROOT, 'apps', 'worker', '.hf-home');
  if (!existsSync(hfHome)) throw new Error('no container engine and no local HF environment: run npx nx run worker:setup:hf');
  const worker = await spawnRealWorker({ token, flavour: 'hf', env: { NODETOOL_WORKER_NAMESPACES: 'huggingface', HF_HOME: hfHome, HF_HUB_OFFLINE: '1' } });
  return { url: worker.url, kind: 'local process', stop: () => worker.kill() };
}
