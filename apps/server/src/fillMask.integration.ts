import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectWorkerPython, REPO_ROOT, tinyDistilBertRepo, type FixtureHub } from '@nt/test-fixtures';
import type { RunningServer } from './server.js';
import { startHfTestServer, type HfTestServer } from './testing/hfTestServer.js';
import { wsClient } from './testing/testServer.js';

// The design's fallback graph (examples/hf-fillmask.json) on the real HF worker, through the server.
// distilbert-base-uncased cannot be fetched here: a tiny DistilBertForMaskedLM with the same
// 30,522-token uncased vocabulary (all-MiniLM-L6-v2's vocab.txt) is made locally and served by the
// fixture hub under that name, so the worker downloads it as it would the real one.
const TOKEN = 'fillmask-suite-worker-token';
const REPO = 'distilbert-base-uncased';
const WORKFLOW = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'hf-fillmask.json'), 'utf8'));
const FILL = WORKFLOW.graph.nodes.find((node: { id: string }) => node.id === 'fill').data as { inputs: string; top_k: number };

/**
 * The tiny model's own answer, from transformers' fill-mask pipeline directly (no nodetool), fetched from
 * the same hub (which runs in this process: the call must not block it).
 */
async function transformersTopTokens(hubUrl: string): Promise<Array<[string, number]>> {
  const script = [
    'import json, sys',
    'from transformers import pipeline',
    'fill = pipeline("fill-mask", model=sys.argv[1])',
    'print(json.dumps([[p["token_str"], p["score"]] for p in fill(sys.argv[2], top_k=int(sys.argv[3]))]))',
  ].join('\n');
  const { stdout } = await promisify(execFile)(projectWorkerPython('hf'), ['-c', script, REPO, FILL.inputs, String(FILL.top_k)], {
    env: {
      ...process.env,
      HF_ENDPOINT: hubUrl,
      HF_HOME: mkdtempSync(join(tmpdir(), 'nt-fillmask-direct-')),
      HF_HUB_OFFLINE: '0',
      TRANSFORMERS_VERBOSITY: 'error',
    },
    encoding: 'utf8',
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Array<[string, number]>;
}

describe('FillMask with distilbert-base-uncased (the fallback graph) through the server', () => {
  let suite: HfTestServer;
  let hub: FixtureHub;
  let server: RunningServer;

  beforeAll(async () => {
    suite = await startHfTestServer([tinyDistilBertRepo(REPO)], TOKEN);
    ({ hub, server } = suite);
  }, 180_000);

  afterAll(() => suite?.close());

  it('downloads the model into the empty cache with progress, returns the tokens transformers itself gives the tiny model, and runs warm the second time', async () => {
    const client = await wsClient(server);
    client.send({ command: 'run_job', data: { workflow: WORKFLOW, job_id: 'fill-first', download_missing: true } });
    const first = await client.waitFor((m) => m.type === 'job_update' && m.job_id === 'fill-first' && m.status !== 'running', 120_000);
    expect(first.status, first.error).toBe('completed');
    const downloads = client.messages.filter((m) => m.type === 'model_download' && m.job_id === 'fill-first');
    expect(downloads[0]).toMatchObject({ repo_id: REPO, status: 'start' });
    expect(downloads.at(-1)).toMatchObject({ repo_id: REPO, status: 'completed' });
    // Progress: bytes counted up to the whole model, never backwards.
    const done = downloads.at(-1) as { downloaded_bytes: number; total_bytes: number };
    expect(done.total_bytes).toBeGreaterThan(0);
    expect(done.downloaded_bytes).toBe(done.total_bytes);
    const counted = downloads.map((event) => event.downloaded_bytes as number);
    expect([...counted].sort((a, b) => a - b)).toEqual(counted);
    expect(hub.requests.some((line) => line.startsWith(`GET /${REPO}/resolve/`) && line.includes('model.safetensors'))).toBe(true);

    const predictions = first.outputs.predictions as { columns: Array<{ name: string }>; data: Array<[string, number]> };
    expect(predictions.columns.map((column) => column.name)).toEqual(['token', 'score']);
    expect(predictions.data).toHaveLength(5);
    // The same tokens, in the same order, with the same scores as transformers gives for this model and sentence.
    const expected = await transformersTopTokens(hub.url);
    expect(predictions.data.map(([token]) => token)).toEqual(expected.map(([token]) => token));
    predictions.data.forEach(([, score], index) => expect(score).toBeCloseTo(expected[index]?.[1] ?? NaN, 5));

    // Warm: nothing fetched again, and the model stays loaded under the keep-alive.
    const fetched = hub.requests.length;
    client.send({ command: 'run_job', data: { workflow: WORKFLOW, job_id: 'fill-second' } });
    const second = await client.waitFor((m) => m.type === 'job_update' && m.job_id === 'fill-second' && m.status !== 'running', 60_000);
    expect(second.status, second.error).toBe('completed');
    expect(client.messages.filter((m) => m.type === 'model_download' && m.job_id === 'fill-second')).toEqual([]);
    expect(hub.requests.slice(fetched).filter((line) => line.includes('/resolve/'))).toEqual([]);
    expect(second.outputs.predictions).toEqual(first.outputs.predictions);
    expect(server.app.models.resident().flatMap((lease) => lease.models)).toContain(REPO);
    client.close();
  }, 240_000);
});
