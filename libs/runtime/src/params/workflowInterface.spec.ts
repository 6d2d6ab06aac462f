import { describe, expect, it } from 'vitest';
import { workflowInterface } from './workflowInterface.js';

describe('workflowInterface', () => {
  it("lists a workflow's input nodes with their types, defaults and bounds, and its outputs by result name", () => {
    const found = workflowInterface({
      nodes: [
        { id: '1', type: 'nodetool.input.IntegerInput', data: { name: 'steps', value: 4, description: 'How many', min: 1, max: 50 } },
        { id: '2', type: 'nodetool.input.ImageInput', data: { name: 'image', value: { type: 'image', uri: '', asset_id: null, data: null } } },
        { id: '3', type: 'nodetool.input.AudioInput', data: { name: 'sound', value: { type: 'audio', uri: '/api/storage/x.mp3', asset_id: 'x' } } },
        { id: '4', type: 'nodetool.input.SelectInput', data: { name: 'mode', value: 'fast', options: ['fast', 'slow'] } },
        { id: '5', type: 'nodetool.constant.Image', data: { value: { type: 'image', uri: 'https://example.com/a.png' } } },
        { id: '6', type: 'huggingface.image_segmentation.Segmentation', data: {} },
        { id: 'p', type: 'nodetool.workflows.base_node.Preview', data: { name: 'masks' } },
        { id: 'o', type: 'nodetool.output.Output', data: {} },
      ],
      edges: [],
    });
    expect(found.inputs).toEqual([
      {
        name: 'steps',
        node_id: '1',
        node_type: 'nodetool.input.IntegerInput',
        type: 'int',
        description: 'How many',
        required: false,
        default: 4,
        min: 1,
        max: 50,
      },
      { name: 'image', node_id: '2', node_type: 'nodetool.input.ImageInput', type: 'image', description: '', required: true },
      // Saved with another server's asset: this server cannot read it, so a run must give it.
      { name: 'sound', node_id: '3', node_type: 'nodetool.input.AudioInput', type: 'audio', description: '', required: true },
      {
        name: 'mode',
        node_id: '4',
        node_type: 'nodetool.input.SelectInput',
        type: 'str',
        description: '',
        required: false,
        default: 'fast',
        options: ['fast', 'slow'],
      },
    ]);
    expect(found.outputs).toEqual([
      { name: 'masks', node_id: 'p', node_type: 'nodetool.workflows.base_node.Preview' },
      { name: 'o', node_id: 'o', node_type: 'nodetool.output.Output' },
    ]);
  });
});
