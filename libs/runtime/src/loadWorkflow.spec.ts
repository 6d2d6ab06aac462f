import { describe, expect, it } from 'vitest';
import { WorkflowFormatError } from './errors.js';
import { loadWorkflow, parseWorkflowJson } from './loadWorkflow.js';
import { pruneEditorOnly } from './editorOnly.js';

const saved = {
  id: 'wf-1',
  name: 'Saved',
  access: 'private',
  graph: {
    nodes: [
      { id: 'a', parent_id: null, type: 'nodetool.constant.String', data: { value: 'x' }, ui_properties: { position: { x: 1, y: 2 } } },
      { id: 'c', parent_id: null, type: 'nodetool.workflows.base_node.Comment', data: { comment: [] }, ui_properties: {} },
      { id: 'p', parent_id: null, type: 'nodetool.workflows.base_node.Preview', data: { name: 'shown' }, ui_properties: {} },
    ],
    edges: [{ id: 'e1', source: 'a', sourceHandle: 'output', target: 'p', targetHandle: 'value', ui_properties: { className: 'str' } }],
  },
};

describe('loadWorkflow', () => {
  it('reads the saved editor format and drops editor fields', () => {
    const workflow = loadWorkflow(saved);
    expect(workflow.id).toBe('wf-1');
    expect(workflow.name).toBe('Saved');
    expect(workflow.graph.nodes[0]).toEqual({ id: 'a', type: 'nodetool.constant.String', data: { value: 'x' } });
    expect(workflow.graph.edges[0]).toEqual({ id: 'e1', source: 'a', sourceHandle: 'output', target: 'p', targetHandle: 'value' });
  });

  it('reads a bare {nodes, edges} graph', () => {
    const workflow = loadWorkflow({ nodes: [{ id: 'n', type: 't', data: {} }], edges: [] });
    expect(workflow.graph.nodes).toHaveLength(1);
    expect(workflow.id).toBe('workflow');
  });

  it('knows a file saved with an empty id by its name', () => {
    const workflow = loadWorkflow({ id: '', name: 'Audio To Spectrogram', graph: { nodes: [], edges: [] } });
    expect(workflow).toMatchObject({ id: 'audio-to-spectrogram', name: 'Audio To Spectrogram' });
  });

  it('names the file and position of a JSON syntax error', () => {
    expect(() => parseWorkflowJson('{"nodes": [', 'broken.json')).toThrow(/broken\.json is not valid JSON/);
  });

  it('names the offending node or edge of a malformed graph', () => {
    expect(() => loadWorkflow({ nodes: [] }, 'f.json')).toThrow(/f\.json: expected "nodes" and "edges" arrays/);
    expect(() => loadWorkflow({ nodes: [{ id: 'n1' }], edges: [] }, 'f.json')).toThrow(/f\.json: nodes\[0\] \(n1\): "type" must be a non-empty string/);
    expect(() => loadWorkflow({ nodes: [], edges: [{ source: 'a', target: 'b' }] }, 'f.json')).toThrow(WorkflowFormatError);
    expect(() => loadWorkflow([1], 'f.json')).toThrow(/expected a JSON object, got an array/);
  });

  it('prunes Comment, Group and Reroute nodes with their edges', () => {
    const graph = pruneEditorOnly(loadWorkflow(saved).graph);
    expect(graph.nodes.map((node) => node.id)).toEqual(['a', 'p']);
  });

  it('keeps a node’s sync_mode, takes null as not set, and names a mode it does not know', () => {
    const graph = (sync_mode: unknown) => ({ nodes: [{ id: 'n', type: 't', data: {}, sync_mode }], edges: [] });
    expect(loadWorkflow(graph('zip_all')).graph.nodes[0]?.sync_mode).toBe('zip_all');
    expect(loadWorkflow(graph(null)).graph.nodes[0]).not.toHaveProperty('sync_mode');
    expect(() => loadWorkflow(graph('all_at_once'), 'f.json')).toThrow('f.json: nodes[0] (n): "sync_mode" must be "on_any" or "zip_all", got "all_at_once"');
  });
});
