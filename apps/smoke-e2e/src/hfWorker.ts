import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, engineHost, freeLoopbackPort, startWorkerContainer } from '@nt/smoke-runner';
import { REPO_ROOT, spawnRealWorker } from '@nt/test-fixtures';

export type WorkerKind = 'container' | 'process';

export interface HfWorker {
  url: string;
  kind: WorkerKind;
  /** How the suite knows it drove what it meant to: the container's name, or the process's pid. */
  identity: string;
  /** The model cache it starts with: a fresh volume (container) or directory (process), empty. */
  cache: string;
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
 * The HF worker with a token, of the kind prepare.sh chose, with an empty model cache and the
 * fixture hub as its Hugging Face endpoint: a new user's first contact, where the first run fetches
 * the model. The container gets a fresh volume, as compose's hf-cache is on a new machine, and host
 * networking with the worker bound to 127.0.0.1, so it reaches the hub on the host's loopback. Only
 * when no engine could be started is it the local worker process from apps/worker/.venv-hf. A
 * container that fails to start is an error, never a reason to switch.
 */
export async function startHfWorker(token: string, choice: WorkerChoice, hubUrl: string): Promise<HfWorker> {
  const hub = { HF_ENDPOINT: hubUrl, HF_HUB_OFFLINE: '0' };
  if (choice.worker === 'container') {
    process.env['DOCKER_HOST'] ??= engineHost();
    const volume = `nt-smoke-e2e-${Math.random().toString(36).slice(2, 8)}`;
    await docker(['volume', 'create', volume]);
    const container = await startWorkerContainer(IMAGE, { token, volume, env: hub, hostNetworkPort: await freeLoopbackPort() });
    return {
      url: container.url,
      kind: 'container',
      identity: container.name,
      cache: volume,
      stop: async () => {
        await container.remove();
        await docker(['volume', 'rm', '-f', volume]).catch(() => '');
      },
    };
  }
  const hfHome = mkdtempSync(join(tmpdir(), 'nt-smoke-e2e-hf-'));
  const worker = await spawnRealWorker({ token, flavour: 'hf', env: { NODETOOL_WORKER_NAMESPACES: 'huggingface', HF_HOME: hfHome, ...hub } });
  return { url: worker.url, kind: 'process', identity: String(worker.process.pid), cache: hfHome, stop: () => worker.kill() };
}
