import { describe, expect, it } from 'vitest';
import { comment, constant, cosineSimilarity, input, output, preview } from './builtins.js';
import { createNode } from './dslNode.js';
import { workflow } from './workflow.js';

describe('workflow()', () => {
  it('emits nodes in declaration order with literals in data and node inputs as edges', () => {
    const text = constant.string('hello', { id: 'text' });
    const embed = createNode(
      'huggingface.sentence_similarity.SentenceSimilarity',
      { inputs: text, model: { type: 'hf.sentence_similarity' } },
      { id: 'embed' },
    );
    const shown = preview(embed.output(), 'embedding', { id: 'shown' });
    expect(workflow(shown)).toEqual({
      nodes: [
        { id: 'text', type: 'nodetool.constant.String', data: { value: 'hello' } },
        { id: 'embed', type: 'huggingface.sentence_similarity.SentenceSimilarity', data: { model: { type: 'hf.sentence_similarity' } } },
        { id: 'shown', type: 'nodetool.workflows.base_node.Preview', data: { name: 'embedding' } },
      ],
      edges: [
        { id: 'text.output->embed.inputs', source: 'text', sourceHandle: 'output', target: 'embed', targetHandle: 'inputs' },
        { id: 'embed.output->shown.value', source: 'embed', sourceHandle: 'output', target: 'shown', targetHandle: 'value' },
      ],
    });
  });

  it('includes each shared upstream node once and keeps unconnected nodes that are passed', () => {
    const a = constant.list([1, 0], { id: 'a' });
    const score = cosineSimilarity(a, a, { id: 'score' });
    const graph = workflow({ id: 'wf', name: 'Demo' }, preview(score, 'score', { id: 'p' }), comment('note', { id: 'c' }));
    expect(graph.id).toBe('wf');
    expect(graph.nodes.map((n) => n.id)).toEqual(['a', 'score', 'p', 'c']);
    expect(graph.edges).toHaveLength(3);
  });

  it('refuses a node nested inside a list or object input', () => {
    const a = constant.number(1, { id: 'n' });
    expect(() => workflow(createNode('x.Y', { values: [a] }, { id: 'y' }))).toThrow(/input y\.values holds a node inside a list or object/);
  });

  it('refuses two different nodes with the same id', () => {
    const one = constant.number(1, { id: 'dup' });
    const two = constant.number(2, { id: 'dup' });
    expect(() => workflow(cosineSimilarity(one, two))).toThrow(/two different nodes share the id "dup"/);
  });

  it('refuses a node used as a plain value', () => {
    expect(() => `${constant.number(1, { id: 'z' }) as unknown as string}`).toThrow(/was used as a plain value/);
  });

  it('passes a node’s sync_mode through to its graph node, and leaves it out when not given', () => {
    const chunks = createNode('fixtures.Count', { count: 3 }, { id: 'count' });
    const paired = createNode('test.Pair', { a: chunks.output('index'), b: chunks.output('index') }, { id: 'pair', sync_mode: 'zip_all' });
    const graph = workflow(paired);
    expect(graph.nodes).toEqual([
      { id: 'count', type: 'fixtures.Count', data: { count: 3 } },
      { id: 'pair', type: 'test.Pair', data: {}, sync_mode: 'zip_all' },
    ]);
    expect(() => createNode('x.Y', {}, { id: 'bad', sync_mode: 'all' as never })).toThrow('node "bad": sync_mode must be "on_any" or "zip_all", got "all"');
  });

  it("writes inputs and media constants as nodetool's editor saves them", () => {
    const photo = input.image('photo', { id: 'photo' });
    const steps = input.integer('steps', 4, { id: 'steps' });
    const logo = constant.image('https://example.com/logo.png', { id: 'logo' });
    const graph = workflow(output(createNode('x.Blend', { a: photo, b: logo, steps }, { id: 'blend' }), 'picture', { id: 'out' }));
    expect(graph.nodes.slice(0, 3)).toEqual([
      { id: 'photo', type: 'nodetool.input.ImageInput', data: { name: 'photo', value: { type: 'image', uri: '', asset_id: null, data: null } } },
      { id: 'steps', type: 'nodetool.input.IntegerInput', data: { name: 'steps', value: 4 } },
      { id: 'logo', type: 'nodetool.constant.Image', data: { value: { type: 'image', uri: 'https://example.com/logo.png', asset_id: null, data: null } } },
    ]);
  });
});
