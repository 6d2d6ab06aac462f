import { describe, expect, it } from 'vitest';
import { GraphValidationError } from './errors.js';
import type { Graph } from './graph.js';
import { NodeCatalog } from './nodeCatalog.js';
import { validateAgainstCatalog, validateStructure } from './validateGraph.js';

const issuesOf = (run: () => void): string[] => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphValidationError);
    return (error as GraphValidationError).issues.map((issue) => issue.message);
  }
  return [];
};

const worker = new NodeCatalog([
  {
    node_type: 'huggingface.sentence_similarity.SentenceSimilarity',
    properties: [{ name: 'inputs', type: { type: 'str' } }],
    outputs: [{ name: 'output', type: { type: 'np_array' } }],
  },
]);

describe('validateStructure', () => {
  it('finds edges to missing nodes and cycles, naming them', () => {
    const graph: Graph = {
      nodes: [
        { id: 'a', type: 't', data: {} },
        { id: 'b', type: 't', data: {} },
      ],
      edges: [
        { source: 'a', sourceHandle: 'output', target: 'b', targetHandle: 'value' },
        { source: 'b', sourceHandle: 'output', target: 'a', targetHandle: 'value' },
        { id: 'e9', source: 'a', sourceHandle: 'output', target: 'ghost', targetHandle: 'value' },
      ],
    };
    expect(issuesOf(() => validateStructure(graph))).toEqual(['edge e9 goes to node "ghost", which does not exist', 'the graph has a cycle: a -> b -> a']);
  });
});

describe('validateAgainstCatalog', () => {
  it('lists close matches for an unknown type from the worker and the built-ins', () => {
    const graph: Graph = { nodes: [{ id: 'n7', type: 'huggingface.sentence_similarity.SentenceSimilarty', data: {} }], edges: [] };
    expect(issuesOf(() => validateAgainstCatalog(graph, worker))).toEqual([
      'unknown type "huggingface.sentence_similarity.SentenceSimilarty" (node "n7"); did you mean "huggingface.sentence_similarity.SentenceSimilarity"?',
    ]);
    const preview: Graph = { nodes: [{ id: 'p', type: 'Preview', data: {} }], edges: [] };
    expect(issuesOf(() => validateAgainstCatalog(preview, worker))[0]).toContain('"nodetool.workflows.base_node.Preview"');
  });

  it('names each unknown type once with its nodes, and says which are upstream base nodes this server does not provide', () => {
    const graph: Graph = {
      nodes: [
        { id: 'r1', type: 'nodetool.image.Resize', data: {} },
        { id: 'm', type: 'lib.librosa.analysis.MelSpectrogram', data: {} },
        { id: 'r2', type: 'nodetool.image.Resize', data: {} },
        { id: 'z', type: 'acme.Widget', data: {} },
      ],
      edges: [],
    };
    const error = (() => {
      try {
        validateAgainstCatalog(graph, worker);
      } catch (caught) {
        return caught as GraphValidationError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.issues.map((issue) => issue.message)).toEqual([
      'unknown type "nodetool.image.Resize" (nodes "r1", "r2"): one of upstream nodetool\'s base nodes, which this server does not provide (neither its workers nor its built-ins offer it)',
      'unknown type "lib.librosa.analysis.MelSpectrogram" (node "m"): one of upstream nodetool\'s base nodes, which this server does not provide (neither its workers nor its built-ins offer it)',
      'unknown type "acme.Widget" (node "z"); no similar type is offered by the worker or the built-ins',
    ]);
    expect(error.issues[0]?.nodeIds).toEqual(['r1', 'r2']);
  });

  it('names missing handles and badly shaped values', () => {
    const graph: Graph = {
      nodes: [
        { id: 's', type: 'huggingface.sentence_similarity.SentenceSimilarity', data: { inputs: 42 } },
        { id: 'p', type: 'nodetool.workflows.base_node.Preview', data: {} },
      ],
      edges: [{ source: 's', sourceHandle: 'embedding', target: 'p', targetHandle: 'valu' }],
    };
    expect(issuesOf(() => validateAgainstCatalog(graph, worker))).toEqual([
      'node "s" (huggingface.sentence_similarity.SentenceSimilarity): property "inputs" must be a string, got a number',
      'node "s" (huggingface.sentence_similarity.SentenceSimilarity) has no output "embedding"; it has "output"',
      'node "p" (nodetool.workflows.base_node.Preview) has no input "valu"; it has "value", "name"',
    ]);
  });
});
