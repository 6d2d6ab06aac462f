import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tinyDistilBertRepo, type FixtureHub } from '@nt/worker-auth-fixtures';
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

describe('FillMask with distilbert-base-uncased (the fallback graph) through the server', () => {
  let suite: HfTestServer;
  let hub: FixtureHub;
  let server: RunningServer;

  beforeAll(async () => {
    suite = await startHfTestServer([tinyDistilBertRepo(REPO)], TOKEN);
    ({ hub, server } = suite);
  }, 180_000);

  afterAll(() => suite?.close());

  it('downloads the model into the empty cache with progress, returns the top 5 tokens with scores summing to at most 1, and runs warm the second time', async () => {
    const client = await wsClient(server);
    client.send({ command: 'run_job', data: { workflow: WORKFLOW, job_id: 'fill-first', download_missing: true } });
    const first = await client.waitFor((m) => m.type === 'job_update' && m.job_id === 'fill-first' && m.status !== 'running', 120_000);
    expect(first.status, first.error).toBe('completed');
    const downloads = client.messages.filter((m) => m.type === 'model_download' && m.job_id === 'fill-first');
    expect(downloads[0]).toMatchObject({ repo_id: REPO, status: 'start' });
    expect(downloads.at(-1)).toMatchObject({ repo_id: REPO, status: 'completed' });
    expect(hub.requests.some((line) => line.startsWith(`GET /${REPO}/resolve/`) && line.includes('model.safetensors'))).toBe(true);

    const predictions = first.outputs.predictions as { columns: Array<{ name: string }>; data: Array<[string, number]> };
    expect(predictions.columns.map((column) => column.name)).toEqual(['token', 'score']);
    expect(predictions.data).toHaveLength(5);
    const scores = predictions.data.map(([, score]) => score);
    for (const [token, score] of predictions.data) {
      expect(typeof token).toBe('string');
      expect(score).toBeGreaterThan(0);
    }
    expect(scores.reduce((sum, score) => sum + score, 0)).toBeLessThanOrEqual(1);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);

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
