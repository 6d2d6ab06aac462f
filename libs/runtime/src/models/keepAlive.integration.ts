import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebsocketPythonBridge } from '@nt/bridge';
import { spawnRealWorker, startFixtureHub, type FixtureHub, type RealWorker } from '@nt/test-fixtures';
import type { RunEvent } from '../runEvents.js';
import type { Workflow } from '../graph.js';
import { runWorkflow } from '../runWorkflow.js';
import { ModelKeepAlive } from './modelKeepAlive.js';

// The real worker's model cache, observed through fixtures.LoadModel: it loads a stand-in model
// into the worker's ModelManager (as the HF nodes do) and says whether it had to. Each worker starts
// with an empty HF cache; the model's files come from the fixture hub, downloaded before the first run.
const TOKEN = 'keep-alive-suite';
const MODEL = { type: 'hf.fixture', repo_id: 'fixture-org/tiny-model' };

function loader(id = 'load', model: Record<string, unknown> = MODEL, workflowId = 'wf-keep-alive'): Workflow {
  return {
    id: workflowId,
    name: 'keep-alive',
    params: {},
    graph: {
      nodes: [
        { id, type: 'fixtures.LoadModel', data: { model, load_seconds: 0.05 } },
        { id: 'out', type: 'nodetool.workflows.base_node.Preview', data: { name: 'out' } },
      ],
      edges: [{ source: id, sourceHandle: 'output', target: 'out', targetHandle: 'value' }],
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for a condition (a release is a timer plus a round trip: no fixed sleep is safe on a loaded machine). */
async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('the keep-alive on the real worker', () => {
  let worker: RealWorker | undefined;
  let bridge: WebsocketPythonBridge | undefined;
  let keepAlive: ModelKeepAlive | undefined;
  let hub: FixtureHub;

  beforeAll(async () => {
    hub = await startFixtureHub([{ repoId: MODEL.repo_id, files: { 'config.json': new TextEncoder().encode('{"model_type": "fixture"}') } }]);
  });
  afterAll(() => hub.close());

  afterEach(async () => {
    keepAlive?.dispose();
    await bridge?.close();
    await worker?.kill();
  });

  async function start(extraEnv: Record<string, string> = {}, refreshIntervalMs = 60_000) {
    const env = { HF_HOME: mkdtempSync(join(tmpdir(), 'nt-keep-alive-hf-')), HF_ENDPOINT: hub.url, HF_HUB_OFFLINE: '0', ...extraEnv };
    worker = await spawnRealWorker({ token: TOKEN, env });
    bridge = new WebsocketPythonBridge({ wsUrl: worker.url, workerToken: TOKEN, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
    await bridge.connect();
    keepAlive = new ModelKeepAlive(bridge, { refreshIntervalMs });
    return { bridge, keepAlive, env };
  }

  /** Whether the run had to load the model (false: it was still loaded). */
  async function loadedNow(keepAliveMs: number, workflow = loader(), events: RunEvent[] = []): Promise<boolean> {
    const result = await runWorkflow(workflow, { bridge, keepAlive, keepAliveMs, onEvent: (event) => events.push(event) });
    expect(result.status, result.error).toBe('completed');
    return (result.outputs['out'] as { loaded_now: boolean }).loaded_now;
  }

  it('keeps the model loaded between runs for the keep-alive, then really releases it', async () => {
    await start();
    const first: RunEvent[] = [];
    const second: RunEvent[] = [];
    expect(await loadedNow(3000, loader(), first)).toBe(true);
    const downloads = first.flatMap((event) => (event.type === 'model_download' ? [event.status] : []));
    expect([downloads[0], downloads.at(-1)]).toEqual(['start', 'completed']);
    expect(await loadedNow(3000, loader(), second)).toBe(false);
    expect(second.some((event) => event.type === 'model_download')).toBe(false);
    expect(keepAlive?.resident()).toMatchObject([{ models: ['fixture-org/tiny-model'], keep_alive: '3s' }]);
    const heldUntil = keepAlive?.resident()[0]?.expires_at as number;
    await until(() => keepAlive?.resident().length === 0, 'the release');
    expect(Date.now()).toBeGreaterThanOrEqual(heldUntil);
    // The lease was ended on the worker: asking again finds no such job.
    expect(await bridge?.endJob({ jobId: 'keep-alive/fixture-org/tiny-model' })).toMatchObject({ known: false });
    expect(await loadedNow(3000)).toBe(true);
  });

  it('with keep-alive 0 every run loads the model again, as before the keep-alive', async () => {
    await start();
    expect(await loadedNow(0)).toBe(true);
    expect(await loadedNow(0)).toBe(true);
    expect(keepAlive?.resident()).toEqual([]);
  });

  it('a run of another workflow that uses the same model extends its residency', async () => {
    await start();
    // Each run comes after more than half the keep-alive: only the extension keeps the third warm.
    expect(await loadedNow(4000)).toBe(true);
    await sleep(2500);
    expect(await loadedNow(4000, loader('other-node', MODEL, 'wf-other'))).toBe(false);
    await sleep(2500);
    expect(await loadedNow(4000)).toBe(false);
  });

  it('a run with keep-alive 0 releases a model another run kept', async () => {
    await start();
    expect(await loadedNow(60_000)).toBe(true);
    expect(await loadedNow(0)).toBe(false);
    expect(keepAlive?.resident()).toEqual([]);
    expect(await loadedNow(0)).toBe(true);
  });

  it("refreshes what it holds, so the worker's job TTL never releases a kept model", async () => {
    // A 1.5 s TTL on the worker; its sweep runs when job traffic arrives.
    await start({ NODETOOL_WORKER_JOB_TTL_SECONDS: '1.5' }, 400);
    expect(await loadedNow(-1)).toBe(true);
    await sleep(2500);
    await bridge?.startJob({ jobId: 'traffic-that-runs-the-sweep' });
    expect(await loadedNow(-1)).toBe(false);
  });

  it('without the refresh the same TTL would have released it (the control of the case above)', async () => {
    await start({ NODETOOL_WORKER_JOB_TTL_SECONDS: '1.5' }, 60_000);
    expect(await loadedNow(-1)).toBe(true);
    await sleep(2500);
    await bridge?.startJob({ jobId: 'traffic-that-runs-the-sweep' });
    expect(await loadedNow(-1)).toBe(true);
  });

  it('after the worker restarts, the bookkeeping is cleared and the next run loads again', async () => {
    const { bridge: link, keepAlive: holder, env } = await start();
    const port = worker?.port as number;
    expect(await loadedNow(60_000)).toBe(true);
    await worker?.kill();
    const reconnected = new Promise<void>((resolve) => link.once('reconnected', () => resolve()));
    worker = await spawnRealWorker({ token: TOKEN, port, env });
    await reconnected;
    await sleep(200);
    expect(holder.resident()).toEqual([]);
    expect(await loadedNow(60_000)).toBe(true);
    expect(await loadedNow(60_000)).toBe(false);
  }, 60_000);
});
