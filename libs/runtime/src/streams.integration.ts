import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PythonStdioBridge } from '@nt/bridge';
import { fixtureStdioOptions } from '@nt/test-fixtures';
import { GraphValidationError } from './errors.js';
import type { GraphEdge, GraphNode, Workflow } from './graph.js';
import type { RunEvent } from './runEvents.js';
import { runWorkflow } from './runWorkflow.js';

// Streaming nodes of the real worker (its fixture namespace), run with execute.stream: every item
// flows on as it comes. The same graphs through the server, the CLI and a browser are in their suites.
const preview = (id: string, name = id): GraphNode => ({ id, type: 'nodetool.workflows.base_node.Preview', data: { name } });
const link = (source: string, sourceHandle: string, target: string, targetHandle = 'value'): GraphEdge => ({ source, sourceHandle, target, targetHandle });
const workflow = (nodes: GraphNode[], edges: GraphEdge[] = []): Workflow => ({ id: 'wf-streams', name: 'streams', graph: { nodes, edges }, params: {} });

describe('streaming nodes on the real worker', () => {
  let bridge: PythonStdioBridge;
  beforeAll(async () => {
    bridge = new PythonStdioBridge(fixtureStdioOptions());
    await bridge.connect();
  }, 60_000);
  afterAll(() => bridge.close());

  it('delivers every item of fixtures.Count to a Preview, each as it comes (a plain execute kept only the last)', async () => {
    const events: RunEvent[] = [];
    const result = await runWorkflow(
      workflow([{ id: 'count', type: 'fixtures.Count', data: { count: 4, delay: 0.05 } }, preview('p', 'numbers')], [link('count', 'index', 'p')]),
      { bridge, onEvent: (event) => events.push(event) },
    );
    expect(result.status, result.error).toBe('completed');
    expect(result.outputs['numbers']).toEqual([0, 1, 2, 3]);
    expect(result.nodes['p']?.streamed).toEqual({ output: { items: 4, left_out: 0 } });
    const updates = events.filter((event) => event.type === 'output_update');
    expect(updates.map((event) => [event.value, event.item])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    // Live: the first item reached the sink before the stream's node completed.
    const firstItem = events.findIndex((event) => event.type === 'output_update');
    const countDone = events.findIndex((event) => event.type === 'node_update' && event.node_id === 'count' && event.status === 'completed');
    expect(firstItem).toBeLessThan(countDone);
  });

  it('runs a Python node downstream of a stream once per item', async () => {
    const result = await runWorkflow(
      workflow(
        [{ id: 'count', type: 'fixtures.Count', data: { count: 3 } }, { id: 'echo', type: 'fixtures.Echo', data: {} }, preview('p', 'echoed')],
        [link('count', 'index', 'echo'), link('echo', 'output', 'p')],
      ),
      { bridge },
    );
    expect(result.status, result.error).toBe('completed');
    expect(result.outputs['echoed']).toEqual([0, 1, 2]);
    expect(result.nodes['echo']?.streamed).toEqual({ output: { items: 3, left_out: 0 } });
  });

  it('records text chunks as their joined text, and the final slot once', async () => {
    const result = await runWorkflow(
      workflow(
        [{ id: 'words', type: 'fixtures.Words', data: { text: 'tokens arrive one by one' } }, preview('live', 'answer'), preview('whole', 'text')],
        [link('words', 'chunk', 'live'), link('words', 'text', 'whole')],
      ),
      { bridge },
    );
    expect(result.status, result.error).toBe('completed');
    expect(result.outputs['answer']).toBe('tokens arrive one by one ');
    expect(result.outputs['text']).toEqual(['tokens arrive one by one']);
  });

  it('passes a node’s live previews on as node_preview events: text as it is, images as data: URLs', async () => {
    const events: RunEvent[] = [];
    const result = await runWorkflow(workflow([{ id: 'steps', type: 'fixtures.Steps', data: { steps: 3, delay: 0.02 } }]), {
      bridge,
      onEvent: (event) => events.push(event),
    });
    expect(result.status, result.error).toBe('completed');
    const previews = events.filter((event) => event.type === 'node_preview');
    expect(previews.filter((event) => typeof event.value === 'string' && event.value.startsWith('step')).map((event) => event.value)).toEqual([
      'step 1 of 3',
      'step 2 of 3',
      'step 3 of 3',
    ]);
    const images = previews.filter((event) => typeof event.value === 'string' && event.value.startsWith('data:image/png;base64,'));
    expect(images).toHaveLength(3);
    expect(images[0]).toMatchObject({ node_id: 'steps', output_name: 'image' });
    // Previews are glimpses: the record keeps the result, not them.
    expect(result.nodes['steps']?.outputs).toEqual({ output: 3 });
  });

  it('refuses a node that reads its inputs as streams before anything runs, naming it', async () => {
    const streamingInput = { ...bridge.getNodeMetadata()[0], node_type: 'fixtures.Count', is_streaming_input: true };
    const error = await runWorkflow(workflow([{ id: 'reader', type: 'fixtures.Count', data: {} }]), {
      bridge: Object.assign(Object.create(bridge) as PythonStdioBridge, { getNodeMetadata: () => [streamingInput] }),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphValidationError);
    expect((error as Error).message).toContain('node "reader" (fixtures.Count) reads its inputs as streams (is_streaming_input)');
  });
});
