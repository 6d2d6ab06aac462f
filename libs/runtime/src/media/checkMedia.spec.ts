import { describe, expect, it } from 'vitest';
import { GraphValidationError } from '../errors.js';
import type { Workflow } from '../graph.js';
import { prepareGraph, prepareRun } from '../prepareRun.js';

const ASSET = { type: 'asset', id: 'a'.repeat(64), content_type: 'image/png', size: 10, url: `/api/assets/${'a'.repeat(64)}` };
const EMPTY_IMAGE = { type: 'image', uri: '', asset_id: null, data: null };

/** A worker node that takes an image, as the HF worker's declare theirs. */
const WORKER_NODES = [
  {
    node_type: 'huggingface.object_detection.ObjectDetection',
    properties: [{ name: 'image', type: { type: 'image' }, default: EMPTY_IMAGE }],
    outputs: [{ name: 'output', type: { type: 'list' } }],
  },
];

/** An image input feeding a sink. */
function workflow(): Workflow {
  return {
    id: 'w',
    name: 'media',
    params: {},
    graph: {
      nodes: [
        { id: '2', type: 'nodetool.input.ImageInput', data: { name: 'image', value: EMPTY_IMAGE } },
        { id: 'out', type: 'nodetool.output.Output', data: { name: 'result' } },
      ],
      edges: [{ source: '2', sourceHandle: 'output', target: 'out', targetHandle: 'value' }],
    },
  };
}

/** Both halves of validation, as a run does them. */
const prepare = (saved: Workflow, params: Record<string, unknown> = {}) => prepareRun(saved, prepareGraph(saved, params), WORKER_NODES);

const issuesOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphValidationError);
    return (error as GraphValidationError).issues.map((issue) => issue.message);
  }
  throw new Error('expected a refusal');
};

describe('media set on input and constant nodes', () => {
  it('refuses an image input given nothing, saying how to give it', () => {
    expect(issuesOf(() => prepare(workflow()))).toEqual([
      'input "image" (node 2, ImageInput) has no image set; give it in the run\'s params ({"image": …}, or --input image=path/to/file)',
    ]);
  });

  it("refuses another nodetool server's asset (asset_id, /api/storage) unless the params give that input", () => {
    const saved = workflow();
    const audio = {
      id: 'a',
      type: 'nodetool.input.AudioInput',
      data: { name: 'sound', value: { type: 'audio', uri: '/api/storage/3fd0a.mp3', asset_id: '3fd0a' } },
    };
    const storage = { id: 'b', type: 'nodetool.constant.Image', data: { value: { type: 'image', uri: '/api/storage/9c1.png' } } };
    saved.graph.nodes.push(audio, storage);
    const issues = issuesOf(() => prepare(saved, { image: ASSET }));
    expect(issues).toEqual([
      'input "sound" (node a, AudioInput) cannot be read: it names the asset "3fd0a" ("/api/storage/3fd0a.mp3") of the nodetool server it was made on, which this server does not have; give it in the run\'s params ({"sound": …}, or --input sound=path/to/file)',
      'node "b" (Image), its "value" cannot be read: it names "/api/storage/9c1.png", a file of the nodetool server it was made on, which this server does not have',
    ]);
    saved.graph.nodes.pop();
    expect(() => prepare(saved, { image: ASSET, sound: ASSET })).not.toThrow();
  });

  it("checks a worker node's own media values too, except where an edge feeds the property", () => {
    const saved = workflow();
    saved.graph.nodes.push(
      { id: 'd1', type: 'huggingface.object_detection.ObjectDetection', data: { image: { type: 'image', uri: 'file:///root/.ssh/id_rsa' } } },
      { id: 'd2', type: 'huggingface.object_detection.ObjectDetection', data: { image: { type: 'image', uri: 'file:///ignored' } } },
      { id: 'd3', type: 'huggingface.object_detection.ObjectDetection', data: { image: EMPTY_IMAGE } },
    );
    saved.graph.edges.push({ source: '2', sourceHandle: 'output', target: 'd2', targetHandle: 'image' });
    expect(issuesOf(() => prepare(saved, { image: ASSET }))).toEqual([
      'node "d1" (ObjectDetection), its "image" cannot be read: its URI "file:///root/.ssh/id_rsa" is a file: URI; only http(s) URLs are fetched, by the runner and never by the worker',
    ]);
  });

  it('refuses URI schemes other than http(s) and data:, naming the scheme', () => {
    const saved = workflow();
    saved.graph.nodes.push({ id: 'f', type: 'nodetool.constant.Image', data: { value: { type: 'image', uri: 'file:///etc/passwd' } } });
    expect(issuesOf(() => prepare(saved, { image: ASSET }))).toEqual([
      'node "f" (Image), its "value" cannot be read: its URI "file:///etc/passwd" is a file: URI; only http(s) URLs are fetched, by the runner and never by the worker',
    ]);
  });
});
