// Split a document into chunks and embed each as it comes; the same graph as hf-split-embed.json.
// Run it with: npx nodetool run examples/hf-split-embed.ts   (each chunk's text prints as it streams)
import { createNode, preview, workflow } from '@nt/dsl';

const split = createNode(
  'huggingface.sentence_transformers.SplitSentences',
  {
    document: {
      type: 'document',
      uri: '',
      data:
        'Rivers carve valleys over thousands of years, moving sand and stone from the mountains down to the sea. ' +
        'In spring the snow melts and the water rises, flooding the meadows along both banks. ' +
        'Farmers learned long ago to plant their fields above the old flood lines. ' +
        'Each autumn the fish return to the gravel beds where they hatched, swimming against the current until they rest in the quiet valley before spring.',
    },
    chunk_size: 40,
    chunk_overlap: 5,
  },
  { id: 'split' },
);

// Fed by a stream (the chunks), it runs once per chunk: on_any fires on every arrival.
const embed = createNode(
  'huggingface.sentence_similarity.SentenceSimilarity',
  {
    model: { type: 'hf.sentence_similarity', repo_id: 'sentence-transformers/all-MiniLM-L6-v2', allow_patterns: ['*.safetensors', '*.txt', '*.json'] },
    inputs: split.output('text'),
  },
  { id: 'embed', sync_mode: 'on_any' },
);

export const hfSplitEmbed = workflow(
  { id: 'hf-split-embed', name: 'Split a document into chunks and embed each (RAG ingest)' },
  preview(split.output('text'), 'chunks', { id: 'preview_chunks' }),
  preview(embed, 'embeddings', { id: 'preview_embeddings' }),
);
