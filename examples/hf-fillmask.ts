// The design's fallback graph in the DSL; the same graph as hf-fillmask.json.
// Run it with: npx nodetool run examples/hf-fillmask.ts   (distilbert-base-uncased is fetched when missing)
import { createNode, preview, workflow } from '@nt/dsl';

const fill = createNode(
  'huggingface.fill_mask.FillMask',
  { model: { type: 'hf.fill_mask', repo_id: 'distilbert-base-uncased' }, inputs: 'The capital of France is [MASK].', top_k: 5 },
  { id: 'fill' },
);

export const hfFillMask = workflow(
  { id: 'hf-fillmask', name: 'HF worker fallback: FillMask with distilbert-base-uncased' },
  preview(fill, 'predictions', { id: 'preview_predictions' }),
);
