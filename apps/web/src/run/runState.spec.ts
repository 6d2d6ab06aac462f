import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@nt/api-contract';
import { applyRunMessage, isLive, startedRun } from './runState.js';

describe('the run view', () => {
  it('tracks the models a run downloads, by model, and ignores other runs', () => {
    const progress = { repo_id: 'org/m', path: null, downloaded_bytes: 5, total_bytes: 10, downloaded_files: 1, total_files: 2 };
    let run = applyRunMessage(startedRun('job-1', 'wf'), {
      type: 'model_download',
      job_id: 'job-1',
      workflow_id: 'wf',
      status: 'progress',
      ...progress,
      seq: 1,
    });
    run = applyRunMessage(run, { type: 'model_download', job_id: 'job-2', workflow_id: 'wf', status: 'progress', ...progress, repo_id: 'org/other', seq: 1 });
    expect(Object.keys(run?.downloads ?? {})).toEqual(['org/m:']);
    run = applyRunMessage(run, { type: 'model_download', job_id: 'job-1', workflow_id: 'wf', status: 'completed', ...progress, downloaded_bytes: 10, seq: 2 });
    expect(run?.downloads['org/m:']).toMatchObject({ status: 'completed', downloaded_bytes: 10 });
  });
});

const chunk = (content: string, done = false) => ({ type: 'chunk', content, content_type: 'text', done });
const item = (seq: number, value: unknown, index: number): ServerMessage => ({
  type: 'output_update',
  job_id: 'j',
  workflow_id: 'wf',
  node_id: 'p',
  node_name: 'answer',
  output_name: 'output',
  value,
  item: index,
  seq,
});

describe('a streamed run in the run view', () => {
  it('grows the text of a sink fed by text chunks as they come; the final record replaces it', () => {
    let run = startedRun('j', 'wf');
    run = applyRunMessage(run, item(1, chunk('Hello '), 0))!;
    run = applyRunMessage(run, item(2, chunk('world'), 1))!;
    expect(run.live['answer']).toEqual({ kind: 'text', text: 'Hello world', items: 2 });
    run = applyRunMessage(run, { type: 'job_update', job_id: 'j', workflow_id: 'wf', status: 'completed', outputs: { answer: 'Hello world' }, seq: 3 })!;
    expect(run.live).toEqual({});
    expect(run.outputs['answer']).toBe('Hello world');
  });

  it('keeps the last items of any other stream, and counts them all', () => {
    let run = startedRun('j', 'wf');
    for (let index = 0; index < 250; index++) run = applyRunMessage(run, item(index + 1, index, index))!;
    const live = run.live['answer'];
    expect(live).toMatchObject({ kind: 'items', count: 250 });
    expect(live?.kind === 'items' && live.items).toEqual(Array.from({ length: 200 }, (_, index) => index + 50));
  });

  it('takes each event once: a replayed one (same seq) changes nothing', () => {
    let run = startedRun('j', 'wf');
    run = applyRunMessage(run, item(1, chunk('one '), 0))!;
    run = applyRunMessage(run, item(2, chunk('two '), 1))!;
    // After a reconnect the server replays from the page's last_seq; anything older is a duplicate.
    run = applyRunMessage(run, item(2, chunk('two '), 1))!;
    run = applyRunMessage(run, item(3, chunk('three'), 2))!;
    expect(run.live['answer']).toMatchObject({ text: 'one two three', items: 3 });
    expect(run.lastSeq).toBe(3);
  });

  it('shows a running node’s live preview and drops it when its result comes', () => {
    let run = startedRun('j', 'wf');
    run = applyRunMessage(run, { type: 'node_update', job_id: 'j', workflow_id: 'wf', node_id: 'gen', node_type: 't', status: 'running', seq: 1 })!;
    run = applyRunMessage(run, { type: 'node_preview', job_id: 'j', workflow_id: 'wf', node_id: 'gen', value: 'data:image/png;base64,AAAA', seq: 2 })!;
    expect(run.nodes['gen']?.preview).toBe('data:image/png;base64,AAAA');
    run = applyRunMessage(run, { type: 'node_update', job_id: 'j', workflow_id: 'wf', node_id: 'gen', node_type: 't', status: 'completed', seq: 3 })!;
    expect(run.nodes['gen']).toEqual({ status: 'completed', error: undefined, duration_ms: undefined });
  });

  it('starts again from the job record when a reconnect says events were lost', () => {
    let run = startedRun('j', 'wf');
    run = applyRunMessage(run, item(1, chunk('partial '), 0))!;
    const job = {
      id: 'j',
      workflow_id: 'wf',
      status: 'running' as const,
      graph: { nodes: [], edges: [] },
      params: {},
      result: null,
      error: null,
      created_at: '2026-12-06T00:00:00Z',
      finished_at: null,
      nodes: { gen: { status: 'running', progress: 5, total: 10 } },
    };
    run = applyRunMessage(run, { type: 'job_resumed', job_id: 'j', last_seq: 9_000, skipped: 8_000, job })!;
    expect(run).toMatchObject({ status: 'running', lastSeq: 9_000, missedEvents: 8_000, nodes: { gen: { status: 'running', progress: 5 } } });
    expect(isLive(run)).toBe(true);
  });
});

describe('a run waiting for a worker', () => {
  const queued = (seq: number, stage: 'renting' | 'booting', text: string): ServerMessage => ({
    type: 'job_update',
    job_id: 'j',
    workflow_id: 'wf',
    status: 'queued',
    waiting: { group: 'gpu', stage, text, since: '2026-12-07T04:00:00.000Z' },
    seq,
  });

  it('shows each stage of the wait while queued, and drops it once the run runs', () => {
    let run = applyRunMessage(startedRun('j', 'wf'), queued(1, 'renting', 'waiting for a worker: asking Vast.ai for offers, 0 s'));
    expect(run?.waiting).toMatchObject({ stage: 'renting' });
    run = applyRunMessage(run, queued(2, 'booting', 'waiting for a worker: renting 1× RTX 4090 on Vast.ai at $0.41/h (vast:7), booting, 3 s'));
    expect(run?.waiting?.text).toMatch(/booting/);
    run = applyRunMessage(run, { type: 'job_update', job_id: 'j', workflow_id: 'wf', status: 'running', seq: 3 });
    expect(run?.waiting).toBeUndefined();
  });
});
