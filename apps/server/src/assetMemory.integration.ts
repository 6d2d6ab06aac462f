import { readFileSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRealWorker, type RealWorker } from '@nt/test-fixtures';
import { startServerProcess, workerConnected, type ServerProcess } from '@nt/test-fixtures';

// A 1 GiB audio result over a direct WebSocket to the worker (no offload): the server streams it to its
// asset folder as the blob frames arrive, so its memory does not grow with the result.
const GiB = 1024 ** 3;
const TOKEN = 'asset-memory-worker-token';

/** The process's peak resident memory so far (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) * 1024;
}

describe('a 1 GiB result', () => {
  let worker: RealWorker;
  let server: ServerProcess;
  let dataDir: string;
  beforeAll(async () => {
    worker = await spawnRealWorker({ token: TOKEN });
    dataDir = mkdtempSync(join(tmpdir(), 'nt-asset-memory-'));
    server = await startServerProcess({ NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN, NODETOOL_DB: join(dataDir, 'server.db') });
    await workerConnected(server.url);
  }, 60_000);
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await worker?.kill();
  });

  it('reaches the asset store whole while the server stays under 250 MiB resident', async () => {
    const before = peakRss(server.child.pid as number);
    const response = await fetch(`${server.url}/api/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        graph: {
          nodes: [
            { id: 'wav', type: 'fixtures.MakeAudio', data: { size: GiB } },
            { id: 'show', type: 'nodetool.workflows.base_node.Preview', data: { name: 'sound' } },
          ],
          edges: [{ source: 'wav', sourceHandle: 'output', target: 'show', targetHandle: 'value' }],
        },
        wait: true,
      }),
    });
    const job = (await response.json()) as {
      status: string;
      error?: string;
      result: { outputs: { sound: { id: string; size: number; content_type: string } } };
    };
    expect(job.status, job.error).toBe('completed');
    const ref = job.result.outputs.sound;
    expect(ref).toMatchObject({ size: GiB, content_type: 'audio/wav' });
    expect(statSync(join(dataDir, 'assets', ref.id.slice(0, 2), ref.id)).size).toBe(GiB);
    const peak = peakRss(server.child.pid as number);
    console.log(`server peak RSS ${(before / 2 ** 20).toFixed(0)} MiB before the run, ${(peak / 2 ** 20).toFixed(0)} MiB after a 1 GiB result`);
    expect(peak).toBeLessThan(250 * 2 ** 20);
  }, 240_000);
});
