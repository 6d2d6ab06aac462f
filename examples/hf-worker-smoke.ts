// The HF worker smoke workflow in the DSL; the same graph as hf-worker-smoke.json.
// Run it with: npx nodetool run examples/hf-worker-smoke.ts
import { comment, cosineSimilarity, createNode, preview, workflow } from '@nt/dsl';

const model = { type: 'hf.sentence_similarity', repo_id: 'sentence-transformers/all-MiniLM-L6-v2' };
const embed = (id: string, inputs: string) => createNode('huggingface.sentence_similarity.SentenceSimilarity', { model, inputs }, { id });

const embedA = embed('embed_a', 'The cat sits on the mat.');
const embedB = embed('embed_b', 'A feline rests on the rug.');

export const hfWorkerSmoke = workflow(
  { id: 'hf-worker-smoke', name: 'HF worker smoke: MiniLM embeddings and their similarity' },
  preview(embedA, 'embedding_a', { id: 'preview_a' }),
  preview(embedB, 'embedding_b', { id: 'preview_b' }),
  preview(cosineSimilarity(embedA, embedB, { id: 'similarity' }), 'similarity', { id: 'preview_similarity' }),
  comment(
    [
      'Smoke test for the HuggingFace worker.',
      'Point NODETOOL_WORKER_URL (and NODETOOL_WORKER_TOKEN) at the worker, or leave it unset for a local one, then run:',
      'npx nodetool workflows run examples/hf-worker-smoke.json',
      'Expect two 384-dimension embeddings and a similarity above 0.5.',
    ].join('\n'),
    { id: 'instructions' },
  ),
);
