import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkflow, type Graph } from '@nt/runtime';
import { loadSmokeWorkflow, SMOKE_DSL_PATH, SMOKE_SENTENCES } from './smokeWorkflow.js';

/** Order-free view of a graph: what runs and how it is wired, without ids of edges or editor fields. */
function shape(graph: Graph) {
  return {
    nodes: [...graph.nodes].sort((a, b) => a.id.localeCompare(b.id)),
    edges: graph.edges.map((e) => `${e.source}.${e.sourceHandle} -> ${e.target}.${e.targetHandle}`).sort(),
  };
}

describe('examples/hf-worker-smoke', () => {
  it('the .ts DSL file and the saved .json are the same graph', async () => {
    const fromJson = await loadSmokeWorkflow();
    // Imported by path: the example lives outside this project's sources, as a user's file would.
    const { hfWorkerSmoke } = (await import(SMOKE_DSL_PATH)) as { hfWorkerSmoke: unknown };
    const fromDsl = loadWorkflow(hfWorkerSmoke, 'hf-worker-smoke.ts');
    expect(fromDsl.id).toBe(fromJson.id);
    expect(shape(fromDsl.graph)).toEqual(shape(fromJson.graph));
  });

  it('embeds the two smoke sentences with MiniLM and carries an instructions Comment', async () => {
    const { graph } = await loadSmokeWorkflow();
    const embedders = graph.nodes.filter((n) => n.type === 'huggingface.sentence_similarity.SentenceSimilarity');
    expect(embedders.map((n) => n.data['inputs']).sort()).toEqual(Object.values(SMOKE_SENTENCES).sort());
    for (const node of embedders) expect(node.data['model']).toEqual({ type: 'hf.sentence_similarity', repo_id: 'sentence-transformers/all-MiniLM-L6-v2' });
    expect(graph.nodes.some((n) => n.type === 'nodetool.workflows.base_node.Comment')).toBe(true);
  });
});

describe('examples/hf-fillmask (the design’s fallback graph)', () => {
  const examples = dirname(SMOKE_DSL_PATH);
  it('the .ts DSL file and the saved .json are the same graph: FillMask with distilbert-base-uncased into a Preview', async () => {
    const fromJson = loadWorkflow(JSON.parse(await readFile(join(examples, 'hf-fillmask.json'), 'utf8')), 'hf-fillmask.json');
    const { hfFillMask } = (await import(join(examples, 'hf-fillmask.ts'))) as { hfFillMask: unknown };
    const fromDsl = loadWorkflow(hfFillMask, 'hf-fillmask.ts');
    expect(fromDsl.id).toBe(fromJson.id);
    expect(shape(fromDsl.graph)).toEqual(shape(fromJson.graph));
    const fill = fromJson.graph.nodes.find((node) => node.type === 'huggingface.fill_mask.FillMask');
    expect(fill?.data).toMatchObject({ model: { type: 'hf.fill_mask', repo_id: 'distilbert-base-uncased' }, top_k: 5 });
    expect(String(fill?.data['inputs'])).toContain('[MASK]');
  });
});

describe('examples/hf-split-embed (a stream into a node fired per item)', () => {
  const examples = dirname(SMOKE_DSL_PATH);
  it('the .ts DSL file and the saved .json are the same graph, sync_mode included', async () => {
    const fromJson = loadWorkflow(JSON.parse(await readFile(join(examples, 'hf-split-embed.json'), 'utf8')), 'hf-split-embed.json');
    const { hfSplitEmbed } = (await import(join(examples, 'hf-split-embed.ts'))) as { hfSplitEmbed: unknown };
    const fromDsl = loadWorkflow(hfSplitEmbed, 'hf-split-embed.ts');
    expect(fromDsl.id).toBe(fromJson.id);
    expect(shape(fromDsl.graph)).toEqual(shape(fromJson.graph));
    expect(fromJson.graph.nodes.find((node) => node.id === 'embed')?.sync_mode).toBe('on_any');
  });
});
