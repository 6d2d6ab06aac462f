import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UnnumberedRunEvent } from '@nt/api-contract';
import { RunEventLog } from './runEventLog.js';

const item = (jobId: string, value: unknown): UnnumberedRunEvent => ({
  type: 'output_update',
  job_id: jobId,
  workflow_id: 'wf',
  node_id: 'p',
  node_name: 'p',
  output_name: 'output',
  value,
});
const ended = (jobId: string): UnnumberedRunEvent => ({ type: 'job_update', job_id: jobId, workflow_id: 'wf', status: 'completed' });
const seqs = (texts: string[]) => texts.map((text) => (JSON.parse(text) as { seq: number }).seq);

afterEach(() => {
  vi.useRealTimers();
});

describe('RunEventLog', () => {
  it('numbers each job’s events 1, 2, 3, … on its own, as JSON made once', () => {
    const log = new RunEventLog({ events: 100, bytes: 1 << 20 });
    expect(log.append(item('a', 1)).event.seq).toBe(1);
    expect(log.append(item('b', 1)).event.seq).toBe(1);
    const second = log.append(item('a', { type: 'np_array', value: new Uint8Array(new Float64Array([2.5]).buffer), dtype: '<f8', shape: [1] }));
    expect(second.event.seq).toBe(2);
    expect(JSON.parse(second.text)).toMatchObject({ seq: 2, value: { type: 'np_array', data: [2.5] } });
  });

  it('gives a reconnecting client what came after its seq, and nothing twice', () => {
    const log = new RunEventLog({ events: 100, bytes: 1 << 20 });
    for (let index = 0; index < 10; index++) log.append(item('a', index));
    expect(log.since('a', 7)).toEqual({ texts: expect.any(Array), skipped: 0, lastSeq: 10, ended: false });
    expect(seqs(log.since('a', 7)?.texts ?? [])).toEqual([8, 9, 10]);
    expect(log.since('a', 10)?.texts).toEqual([]);
    expect(log.since('nobody', 0)).toBeNull();
  });

  it('keeps the last events by count, and says how many a client asked for that are gone', () => {
    const log = new RunEventLog({ events: 5, bytes: 1 << 20 });
    for (let index = 0; index < 12; index++) log.append(item('a', index));
    const since = log.since('a', 2);
    expect(seqs(since?.texts ?? [])).toEqual([8, 9, 10, 11, 12]);
    expect(since?.skipped).toBe(5);
  });

  it('keeps them within its bytes too: the oldest go first, the newest always stays', () => {
    const log = new RunEventLog({ events: 1_000, bytes: 2_000 });
    for (let index = 0; index < 50; index++) log.append(item('a', 'x'.repeat(100)));
    const since = log.since('a', 0);
    expect(since?.texts.length).toBeLessThan(20);
    expect(seqs(since?.texts ?? []).at(-1)).toBe(50);
    expect(since?.skipped).toBe(50 - (since?.texts.length ?? 0));
    log.append(item('a', 'y'.repeat(10_000)));
    expect(seqs(log.since('a', 0)?.texts ?? [])).toEqual([51]);
  });

  it('keeps an ended job’s events a while for a late client, then lets them go', () => {
    vi.useFakeTimers();
    const log = new RunEventLog({ events: 100, bytes: 1 << 20, keepEndedMs: 60_000 });
    log.append(item('a', 1));
    log.append(ended('a'));
    log.end('a');
    expect(log.since('a', 0)).toMatchObject({ lastSeq: 2, ended: true });
    vi.advanceTimersByTime(60_001);
    expect(log.since('a', 0)).toBeNull();
  });

  it('keeps only the newest ended jobs, by count and by their bytes together', () => {
    const log = new RunEventLog({ events: 100, bytes: 1 << 20, keepEndedJobs: 2, keepEndedBytes: 1 << 20 });
    for (const job of ['a', 'b', 'c']) {
      log.append(item(job, 1));
      log.end(job);
    }
    expect(log.since('a', 0)).toBeNull();
    expect(log.since('b', 0)).not.toBeNull();
    const small = new RunEventLog({ events: 100, bytes: 1 << 20, keepEndedBytes: 1_500 });
    for (const job of ['a', 'b']) {
      small.append(item(job, 'z'.repeat(1_000)));
      small.end(job);
    }
    expect(small.since('a', 0)).toBeNull();
    expect(small.since('b', 0)).not.toBeNull();
  });
});
