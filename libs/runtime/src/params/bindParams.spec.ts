import { describe, expect, it } from 'vitest';
import { GraphValidationError } from '../errors.js';
import type { Workflow } from '../graph.js';
import { prepareGraph } from '../prepareRun.js';

const ASSET = { type: 'asset', id: 'a'.repeat(64), content_type: 'image/png', size: 10, url: `/api/assets/${'a'.repeat(64)}` };

/** A workflow with one input of each kind that matters, feeding a sink, and a named constant. */
function workflow(): Workflow {
  return {
    id: 'w',
    name: 'inputs',
    params: {},
    graph: {
      nodes: [
        { id: '1', type: 'nodetool.input.IntegerInput', data: { name: 'steps', value: 4 } },
        { id: '2', type: 'nodetool.input.ImageInput', data: { name: 'image', value: { type: 'image', uri: '', asset_id: null, data: null } } },
        { id: '3', type: 'nodetool.input.StringInput', data: { name: 'prompt', value: 'a cat' } },
        { id: '4', type: 'nodetool.constant.Float', data: { name: 'scale', value: 1.5 } },
        { id: '5', type: 'nodetool.input.FloatInput', data: { name: 'strength', value: 0.5 } },
        { id: 'out', type: 'nodetool.output.Output', data: { name: 'result' } },
      ],
      edges: [{ source: '2', sourceHandle: 'output', target: 'out', targetHandle: 'value' }],
    },
  };
}

const issuesOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphValidationError);
    return (error as GraphValidationError).issues.map((issue) => issue.message);
  }
  throw new Error('expected a refusal');
};

const valueOf = (graph: ReturnType<typeof prepareGraph>, id: string) => graph.nodes.find((node) => node.id === id)?.data['value'];

describe('params bound to input nodes', () => {
  it('replaces the value of the input a param names, and of a named constant as before', () => {
    const graph = prepareGraph(workflow(), { image: ASSET, steps: 8, scale: 2, strength: 1 });
    expect(valueOf(graph, '1')).toBe(8);
    expect(valueOf(graph, '2')).toEqual(ASSET);
    expect(valueOf(graph, '4')).toBe(2);
    expect(valueOf(graph, '3')).toBe('a cat');
  });

  it('refuses a value of the wrong type before the run, naming the input, what it got and what it takes', () => {
    expect(issuesOf(() => prepareGraph(workflow(), { image: ASSET, steps: 'ten', prompt: 3, strength: Number.NaN }))).toEqual([
      'input "steps" (node 1, IntegerInput) takes a whole number; got the text "ten"',
      'input "prompt" (node 3, StringInput) takes a text; got the number 3',
      'input "strength" (node 5, FloatInput) takes a number; got the number NaN',
    ]);
    expect(issuesOf(() => prepareGraph(workflow(), { image: 'cat.png' }))[0]).toMatch(
      /^input "image" \(node 2, ImageInput\) takes an image: an asset of this server, .*; got the text "cat\.png"$/,
    );
    expect(issuesOf(() => prepareGraph(workflow(), { image: { type: 'audio', uri: 'https://example.com/a.wav' } }))[0]).toContain('it is a "audio" ref');
  });

  it('refuses a param no input has, suggesting the one meant', () => {
    expect(issuesOf(() => prepareGraph(workflow(), { image: ASSET, stpes: 3 }))).toEqual([
      'params name "stpes", which no input of this workflow has; did you mean "steps"? Its inputs: "steps", "image", "prompt", "scale", "strength".',
    ]);
  });

  it('takes a URL for a media input as nodetool writes it, and a saved param default without refusing names it lacks', () => {
    const graph = prepareGraph({ ...workflow(), params: { image: 'https://example.com/cat.png', elsewhere: 1 } });
    expect(valueOf(graph, '2')).toEqual({ type: 'image', uri: 'https://example.com/cat.png' });
  });
});
