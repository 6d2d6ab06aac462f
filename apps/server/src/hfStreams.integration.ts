import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedMiniLmRepo, mpnetTokenizerRepo, REPO_ROOT, tinyChatModelRepo, TINY_CHAT_REPO_ID, type FixtureHub } from '@nt/test-fixtures';
import type { RunningServer } from './server.js';
import { startHfTestServer, type HfTestServer } from './testing/hfTestServer.js';
import { api, node, wsClient } from './testing/testServer.js';

// The released nodetool-huggingface streaming nodes on the real HF worker, through the server:
// SplitSentences (its tokenizer's files served by the fixture hub, as the Hub would) into
// SentenceSimilarity (all-MiniLM-L6-v2), and TextGeneration with a tiny chat model made here.
const TOKEN = 'hf-streams-suite-worker-token';
const SPLIT_EMBED = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'hf-split-embed.json'), 'utf8'));
const done = (jobId: string) => (m: { type: string; job_id?: string; status?: string }) =>
  m.type === 'job_update' && m.job_id === jobId && ['completed', 'failed', 'cancelled', 'interrupted'].includes(m.status ?? '');

describe('streaming HuggingFace nodes through the server', () => {
  let suite: HfTestServer;
  let hub: FixtureHub;
  let server: RunningServer;

  beforeAll(async () => {
    suite = await startHfTestServer([installedMiniLmRepo(REPO_ROOT), mpnetTokenizerRepo(), tinyChatModelRepo()], TOKEN);
    ({ hub, server } = suite);
  }, 180_000);

  afterAll(() => suite?.close());

  it('SplitSentences sends every chunk on, and SentenceSimilarity embeds each one: one embedding per chunk in the record', async () => {
    const client = await wsClient(server);
    client.send({ command: 'run_job', data: { workflow: SPLIT_EMBED, job_id: 'split-embed', download_missing: true } });
    const end = await client.waitFor(done('split-embed'), 180_000);
    expect(end.status, end.error).toBe('completed');
    const chunks = end.outputs.chunks as string[];
    // A plain execute kept only the last chunk ("…valley before spring."): every one arrives now.
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks[0]?.toLowerCase()).toMatch(/^rivers carve valleys/);
    expect(chunks.at(-1)?.toLowerCase()).toMatch(/valley before spring\.$/);
    const embeddings = end.outputs.embeddings as Array<{ type: string; shape: number[]; data: number[] }>;
    expect(embeddings).toHaveLength(chunks.length);
    for (const embedding of embeddings) expect(embedding).toMatchObject({ type: 'np_array', shape: [384] });
    // Each chunk has its own embedding, not the same one repeated.
    expect(new Set(embeddings.map((embedding) => embedding.data.slice(0, 4).join(','))).size).toBe(chunks.length);
    const job = await api(server, 'GET', '/api/jobs/split-embed');
    expect(job.body.result.nodes.embed.streamed).toEqual({ output: { items: chunks.length, left_out: 0 } });
    // The chunks reached the Preview one by one, as they came.
    const items = client.messages.filter((m) => m.type === 'output_update' && m.job_id === 'split-embed' && m.node_name === 'chunks');
    expect(items.map((m) => m.item)).toEqual(chunks.map((_, index) => index));
    // The tokenizer came from the hub as the Hub's API serves it; no weights of all-mpnet-base-v2 were asked for.
    expect(hub.requests.some((line) => line.includes('all-mpnet-base-v2/resolve/') && line.includes('tokenizer.json'))).toBe(true);
    expect(hub.requests.some((line) => line.includes('all-mpnet-base-v2') && line.includes('safetensors'))).toBe(false);
    client.close();
  }, 240_000);

  it('TextGeneration streams its words to the client as the model writes them; the record holds the joined text', async () => {
    const graph = {
      nodes: [
        node('gen', 'huggingface.text_generation.TextGeneration', {
          model: { type: 'hf.text_generation', repo_id: TINY_CHAT_REPO_ID },
          prompt: 'Tell me about rivers.',
          max_new_tokens: 120,
          do_sample: false,
        }),
        node('answer', 'nodetool.workflows.base_node.Preview', { name: 'answer' }),
        node('whole', 'nodetool.workflows.base_node.Preview', { name: 'text' }),
      ],
      edges: [
        { source: 'gen', sourceHandle: 'chunk', target: 'answer', targetHandle: 'value' },
        { source: 'gen', sourceHandle: 'text', target: 'whole', targetHandle: 'value' },
      ],
    };
    const client = await wsClient(server);
    client.send({ command: 'run_job', data: { graph, job_id: 'generate', download_missing: true } });
    const end = await client.waitFor(done('generate'), 180_000);
    expect(end.status, end.error).toBe('completed');
    const chunks = client.messages.filter((m) => m.type === 'output_update' && m.job_id === 'generate' && m.node_name === 'answer').map((m) => m.value);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.at(-1)).toMatchObject({ type: 'chunk', done: true, content: '' });
    const streamed = chunks.map((chunk) => chunk.content).join('');
    expect(streamed.trim().split(/\s+/).length).toBeGreaterThan(5);
    // The record joins the chunks; the node's own `text` output is the same words.
    expect(end.outputs.answer).toBe(streamed);
    expect(end.outputs.text).toEqual([streamed]);
    client.close();
  }, 240_000);
});
