import { describe, expect, it } from 'vitest';
import { viewOf } from './outputValue.js';
import { applyRunMessage, startedRun } from './run/runState.js';

describe('viewOf', () => {
  it('shows an image asset, plays audio and video, and offers anything else as a file, from the asset URL', () => {
    const asset = (content_type: string) => ({ type: 'asset', id: 'a'.repeat(64), content_type, size: 10, url: `/api/assets/${'a'.repeat(64)}` });
    expect(viewOf(asset('image/png'))).toEqual({ kind: 'asset', media: 'image', src: `/api/assets/${'a'.repeat(64)}`, contentType: 'image/png', size: 10 });
    expect(viewOf(asset('audio/wav'))).toMatchObject({ kind: 'asset', media: 'audio' });
    expect(viewOf(asset('video/mp4'))).toMatchObject({ kind: 'asset', media: 'video' });
    expect(viewOf(asset('application/pdf'))).toMatchObject({ kind: 'asset', media: 'file' });
  });

  it('draws an np_array as an embedding with its dimension and norm', () => {
    const view = viewOf({ type: 'np_array', dtype: '<f8', shape: [2], data: [3, 4] });
    expect(view).toEqual({ kind: 'embedding', values: [3, 4], dimension: 2, norm: 5, dtype: '<f8' });
  });

  it('draws a fraction as a score, other numbers, text and objects as themselves', () => {
    expect(viewOf(0.5631)).toEqual({ kind: 'score', value: 0.5631 });
    expect(viewOf(42)).toEqual({ kind: 'number', value: 42 });
    expect(viewOf('hi')).toEqual({ kind: 'text', value: 'hi' });
    expect(viewOf({ a: 1 }).kind).toBe('json');
  });
});

describe('applyRunMessage', () => {
  it('tracks node states, progress and outputs of its own run only', () => {
    let run = startedRun('j1', 'wf');
    run = applyRunMessage(run, { type: 'node_update', job_id: 'j1', workflow_id: 'wf', node_id: 'a', node_type: 't', status: 'running', seq: 1 })!;
    run = applyRunMessage(run, { type: 'node_progress', job_id: 'j1', workflow_id: 'wf', node_id: 'a', progress: 2, total: 4, seq: 2 })!;
    run = applyRunMessage(run, {
      type: 'output_update',
      job_id: 'j1',
      workflow_id: 'wf',
      node_id: 'p',
      node_name: 'score',
      output_name: 'output',
      value: 0.9,
      seq: 3,
    })!;
    run = applyRunMessage(run, { type: 'node_update', job_id: 'other', workflow_id: 'wf', node_id: 'a', node_type: 't', status: 'failed', seq: 4 })!;
    run = applyRunMessage(run, { type: 'log_update', job_id: 'j1', workflow_id: 'wf', node_id: 'a', content: 'loading', severity: 'info', seq: 4 })!;
    run = applyRunMessage(run, { type: 'job_update', job_id: 'j1', workflow_id: 'wf', status: 'completed', duration_ms: 12, seq: 5 })!;
    expect(run).toMatchObject({ status: 'completed', durationMs: 12, nodes: { a: { status: 'running', progress: 2, total: 4 } }, outputs: { score: 0.9 } });
    expect(run.logs).toEqual([{ nodeId: 'a', content: 'loading', severity: 'info' }]);
  });
});
