import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnRealWorker, startFixtureHub, type FixtureHub, type FixtureHubRepo, type RealWorker } from '@nt/test-fixtures';
import type { RunningServer } from '../server.js';
import { startTestServer, waitForWorker } from './testServer.js';

export interface HfTestServer {
  hub: FixtureHub;
  worker: RealWorker;
  server: RunningServer;
  close(): Promise<void>;
}

/**
 * TEST HELPER: the real HF worker (apps/worker/.venv-hf, the huggingface namespace, a token) with an
 * empty model cache of its own and the fixture hub, serving `repos`, as its Hugging Face endpoint, and
 * a test server driving it: a new user's first run, where models are fetched from the "Hub".
 */
export async function startHfTestServer(repos: FixtureHubRepo[], token: string, env: Record<string, string> = {}): Promise<HfTestServer> {
  const hub = await startFixtureHub(repos);
  const worker = await spawnRealWorker({
    token,
    flavour: 'hf',
    env: { NODETOOL_WORKER_NAMESPACES: 'huggingface', HF_HOME: mkdtempSync(join(tmpdir(), 'nt-hf-suite-')), HF_ENDPOINT: hub.url, HF_HUB_OFFLINE: '0' },
    startupTimeoutMs: 120_000,
  });
  const server = await startTestServer({ bridgeOptions: { wsUrl: worker.url, workerToken: token }, env: { NODETOOL_MODEL_KEEP_ALIVE: '5m', ...env } });
  await waitForWorker(server);
  return {
    hub,
    worker,
    server,
    async close() {
      await server.close();
      await worker.kill();
      await hub.close();
    },
  };
}
