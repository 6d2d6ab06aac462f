import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineHost, seedHfCache, startWorkerContainer, docker } from '@nt/smoke-runner';
import { REPO_ROOT, spawnRealWorker } from '@nt/worker-auth-fixtures';

export type WorkerKind = 'container' | 'process';

export interface HfWorker {
  url: string;
  kind: WorkerKind;
  /** How the suite knows it drove what it meant to: the container's name, or the process's pid. */
  identity: string;
  stop(): Promise<void>;
}

/** What apps/smoke-e2e/scripts/prepare.sh decided, and why. */
export interface WorkerChoice {
  worker: WorkerKind;
  reason: string;
}

const IMAGE = process.env['HF_IMAGE'] ?? 'nodetool-hf:local';
const CHOICE_FILE = join(REPO_ROOT, 'apps', 'smoke-e2e', 'dist', 'worker-choice.json');

export function readWorkerChoice(): WorkerChoice {
  if (!existsSync(CHOICE_FILE)) throw new Error(`${CHOICE_FILE} is missing: run npx nx run smoke-e2e:prepare (npx nx e2e smoke-e2e does)`);
  return JSON.parse(readFileSync(CHOICE_FILE, 'utf8')) as WorkerChoice;
}

/**
 * The HF worker with a token, of the kind prepare.sh chose: the HF image's container (the model offline
 * in a seeded volume), or, only when no engine could be started, the local worker process from
 * apps/worker/.venv-hf. A container that fails to start is an error, never a reason to switch.
 */
export async function startHfWorker(token: string, choice: WorkerChoice): Promise<HfWorker> {
  if (choice.worker === 'container') {
    process.env['DOCKER_HOST'] ??= engineHost();
    const volume = `nt-smoke-e2e-${Math.random().toString(36).slice(2, 8)}`;
    await seedHfCache(volume, IMAGE);
    const container = await startWorkerContainer(IMAGE, { token, volume, env: { HF_HUB_OFFLINE: '1' } });
    return {
      url: container.url,
      kind: 'container',
      identity: container.name,
      stop: async () => {
        await container.remove();
        await docker(['volume', 'rm', '-f', volume]).catch(() => '');
      },
    };
  }
  const hfHome = join(REPO_ROOT, 'apps', 'worker', '.hf-home');
  if (!existsSync(hfHome)) throw new Error('no local HF environment: run npx nx run worker:setup-hf');
  const worker = await spawnRealWorker({ token, flavour: 'hf', env: { NODETOOL_WORKER_NAMESPACES: 'huggingface', HF_HOME: hfHome, HF_HUB_OFFLINE: '1' } });
  return { url: worker.url, kind: 'process', identity: String(worker.process.pid), stop: () => worker.kill() };
}

/** The port a URL names, to compare with what the container publishes. */
export function portOf(url: string): string {
  return new URL(url).port;
}
