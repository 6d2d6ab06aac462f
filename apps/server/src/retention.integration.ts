import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './server.js';
import { api, edge, node, startTestServer, waitForWorker, type TestServerData } from './testing/testServer.js';

// NODETOOL_RETENTION as a user with a few hundred images a day sees it: old runs go, with the assets
// only they held; what a kept run or a saved workflow still refers to stays.
const KEEP = 20;

/** Every asset file in the folder (not the temporary ones). */
function assetFiles(server: RunningServer & TestServerData): string[] {
  const dir = join(server.dataDir, 'assets');
  return readdirSync(dir)
    .filter((entry) => /^[0-9a-f]{2}$/.test(entry))
    .flatMap((prefix) => readdirSync(join(dir, prefix)));
}

describe('retention by run count', () => {
  let server: RunningServer & TestServerData;
  beforeAll(async () => {
    server = await startTestServer({ env: { NODETOOL_RETENTION: String(KEEP), NODETOOL_RETENTION_INTERVAL_MS: '1000' } });
    await waitForWorker(server);
  }, 60_000);
  afterAll(() => server.close());

  it('keeps the newest runs and their assets, deletes the rest and the assets only they held, and spares an upload a workflow uses', async () => {
    const upload = async (bytes: Buffer) =>
      (await (await fetch(`${server.url}/api/assets`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes })).json()) as {
        id: string;
      };
    const used = await upload(Buffer.from('the input a saved workflow names'));
    const stray = await upload(Buffer.from('an upload nothing refers to'));
    await api(server, 'POST', '/api/workflows', { id: 'uses-upload', graph: { nodes: [node('echo', 'fixtures.BytesEcho', { data: used })], edges: [] } });

    const refs: string[] = [];
    for (let index = 0; index < 3 * KEEP; index++) {
      const run = await api(server, 'POST', '/api/run', {
        graph: {
          nodes: [node('img', 'fixtures.MakeImage', { size: 8, rgb: [index, 7, 9] }), node('show', 'nodetool.workflows.base_node.Preview', { name: 'out' })],
          edges: [edge('img', 'show')],
        },
        wait: true,
      });
      refs.push(run.body.result.outputs.out.id);
    }
    await expect.poll(async () => (await api(server, 'GET', '/api/jobs?limit=500')).body.jobs.length, { timeout: 15_000 }).toBe(KEEP);
    await expect.poll(() => assetFiles(server).length, { timeout: 15_000 }).toBe(KEEP + 1);

    const kept = new Set(assetFiles(server));
    expect(refs.slice(-KEEP).every((id) => kept.has(id))).toBe(true);
    expect(kept.has(used.id)).toBe(true);
    expect(kept.has(stray.id)).toBe(false);
    expect((await fetch(`${server.url}/api/assets/${refs[0]}`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/assets/${refs.at(-1)}`)).status).toBe(200);
  }, 120_000);
});
