import { describe, expect, it } from 'vitest';
import { missingModelHint } from './missingModelHint.js';
import { modelKey, modelRefsIn } from './modelRefs.js';

describe('model references in node fields', () => {
  it('finds HF model objects, in lists too, keyed like the worker (repo_id or repo_id:path)', () => {
    const refs = modelRefsIn({
      model: { type: 'hf.sentence_similarity', repo_id: 'sentence-transformers/all-MiniLM-L6-v2', allow_patterns: ['*.json'] },
      loras: [{ type: 'hf.lora_sdxl', repo_id: 'org/lora', path: 'style.safetensors' }],
      inputs: 'text',
      count: 3,
    });
    expect(refs.map(modelKey)).toEqual(['sentence-transformers/all-MiniLM-L6-v2', 'org/lora:style.safetensors']);
    expect(refs[0]).toEqual({ repo_id: 'sentence-transformers/all-MiniLM-L6-v2', type: 'hf.sentence_similarity', allow_patterns: ['*.json'] });
  });

  it('ignores empty ids and ids that are not Hub repo ids', () => {
    expect(modelRefsIn({ a: { repo_id: '' }, b: { repo_id: '../etc/passwd' }, c: { repo_id: 'a/b/c' }, d: { repo_id: 'has space/x' }, e: null })).toEqual([]);
  });
});

describe('the hint on a missing model', () => {
  it('names the command that fetches it', () => {
    expect(missingModelHint('Model sentence-transformers/all-MiniLM-L6-v2/config.json must be downloaded first')).toContain(
      '`nodetool models download sentence-transformers/all-MiniLM-L6-v2`',
    );
    expect(missingModelHint('CUDA out of memory')).toBeNull();
  });
});
