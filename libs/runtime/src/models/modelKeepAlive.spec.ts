import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jobRecordingBridge } from '../testing/jobRecordingBridge.js';
import { ModelKeepAlive } from './modelKeepAlive.js';

const MINILM = { model: { type: 'hf.sentence_similarity', repo_id: 'sentence-transformers/all-MiniLM-L6-v2' } };
const OTHER = { model: { type: 'hf.text_generation', repo_id: 'org/other' } };
const MIN = 60_000;

describe('ModelKeepAlive', () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.UTC(2026, 10, 28) }));
  afterEach(() => vi.useRealTimers());

  function setUp(options: { detached?: boolean } = {}) {
    const bridge = jobRecordingBridge();
    const keepAlive = new ModelKeepAlive(bridge, { ...options, refreshIntervalMs: MIN });
    /** One run: its node executes where the keep-alive places it, then the run finishes. */
    const run = async (ms: number, nodes: Array<[string, Record<string, unknown>]> = [['embed', MINILM]]) => {
      const scope = keepAlive.openRun(ms);
      for (const [nodeId, fields] of nodes) {
        const placement = scope.placement(nodeId, fields) ?? { jobId: 'the-run', nodeId };
        bridge.executed(placement.jobId, placement.nodeId);
      }
      await scope.finish();
    };
    return { bridge, keepAlive, run };
  }

  it('runs a model node under a lease of its own, keeps it for the keep-alive, then ends it', async () => {
    const { bridge, keepAlive, run } = setUp();
    await run(5 * MIN);
    expect([...bridge.openJobs.keys()]).toEqual(['keep-alive/sentence-transformers/all-MiniLM-L6-v2']);
    expect(bridge.openJobs.get('keep-alive/sentence-transformers/all-MiniLM-L6-v2')).toEqual(new Set(['embed@sentence-transformers/all-MiniLM-L6-v2']));
    expect(keepAlive.resident()).toMatchObject([
      { models: ['sentence-transformers/all-MiniLM-L6-v2'], keep_alive: '5m', in_use: 0, expires_at: Date.now() + 5 * MIN },
    ]);

    await vi.advanceTimersByTimeAsync(5 * MIN - 1);
    expect(bridge.calls.filter((call) => call.startsWith('end'))).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(bridge.calls.filter((call) => call.startsWith('end'))).toEqual(['end keep-alive/sentence-transformers/all-MiniLM-L6-v2']);
    expect(keepAlive.resident()).toEqual([]);
  });

  it('extends the lease when another run uses the model, the last keep-alive winning', async () => {
    const { bridge, keepAlive, run } = setUp();
    await run(5 * MIN);
    await vi.advanceTimersByTimeAsync(4 * MIN);
    await run(5 * MIN, [['other-node', MINILM]]);
    await vi.advanceTimersByTimeAsync(4 * MIN);
    expect(keepAlive.resident()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(MIN);
    expect(keepAlive.resident()).toEqual([]);
    expect(bridge.calls.filter((call) => call.startsWith('end'))).toHaveLength(1);

    await run(10 * MIN);
    await run(30_000);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(keepAlive.resident()).toEqual([]);
  });

  it('never releases a lease while a run that uses it is in flight', async () => {
    const { bridge, keepAlive, run } = setUp();
    const long = keepAlive.openRun(5 * MIN);
    bridge.executed(long.placement('embed', MINILM)!.jobId, 'embed');
    await run(0);
    expect(bridge.calls).not.toContain('end keep-alive/sentence-transformers/all-MiniLM-L6-v2');
    expect(keepAlive.resident()).toMatchObject([{ in_use: 1, expires_at: null }]);
    await vi.advanceTimersByTimeAsync(60 * MIN);
    expect(keepAlive.resident()).toHaveLength(1);
    await long.finish();
    expect(keepAlive.resident()).toMatchObject([{ in_use: 0, expires_at: Date.now() + 5 * MIN }]);
  });

  it('with keep-alive 0 runs under the run job and ends any lease of the models it used', async () => {
    const { bridge, keepAlive, run } = setUp();
    await run(0);
    expect([...bridge.openJobs.keys()]).toEqual(['the-run']);
    expect(keepAlive.resident()).toEqual([]);

    await run(5 * MIN);
    bridge.calls.length = 0;
    await run(0);
    expect(bridge.calls).toEqual(['end keep-alive/sentence-transformers/all-MiniLM-L6-v2']);
    expect(keepAlive.resident()).toEqual([]);
  });

  it('keeps until evicted with a negative keep-alive, and renews the lease so the worker TTL never sweeps it', async () => {
    const { bridge, keepAlive, run } = setUp();
    await run(Infinity);
    await vi.advanceTimersByTimeAsync(3 * MIN);
    expect(bridge.calls.filter((call) => call === 'start keep-alive/sentence-transformers/all-MiniLM-L6-v2')).toHaveLength(3);
    expect(keepAlive.resident()).toMatchObject([{ keep_alive: 'forever', expires_at: null }]);
    expect(await keepAlive.evict('sentence-transformers/all-MiniLM-L6-v2')).toEqual({
      released_nodes: ['embed@sentence-transformers/all-MiniLM-L6-v2'],
      leases: ['keep-alive/sentence-transformers/all-MiniLM-L6-v2'],
    });
    expect(keepAlive.resident()).toEqual([]);
    bridge.calls.length = 0;
    await vi.advanceTimersByTimeAsync(3 * MIN);
    expect(bridge.calls).toEqual([]);
  });

  it('gives every set of models its own lease and node ids, so one release never frees another', async () => {
    const { bridge, run } = setUp();
    await run(MIN, [['n1', MINILM]]);
    await run(10 * MIN, [['n1', OTHER]]);
    await vi.advanceTimersByTimeAsync(MIN);
    const ended = await bridge.endJob({ jobId: 'keep-alive/org/other' });
    expect(ended.released_nodes).toEqual(['n1@org/other']);
  });

  it('after a reconnect ends what it held (no-op on a restarted worker) and forgets it; a run in flight keeps its lease', async () => {
    const { bridge, keepAlive, run } = setUp();
    await run(5 * MIN);
    const inFlight = keepAlive.openRun(5 * MIN);
    inFlight.placement('gen', OTHER);
    bridge.emit('reconnected');
    await vi.advanceTimersByTimeAsync(0);
    expect(bridge.calls).toContain('end keep-alive/sentence-transformers/all-MiniLM-L6-v2');
    expect(keepAlive.resident().map((lease) => lease.models)).toEqual([['org/other']]);
    await inFlight.finish();
    expect(bridge.calls.filter((call) => call.startsWith('end'))).toHaveLength(1);
  });

  it('a release the link drops is held again and done after the reconnect', async () => {
    const { bridge, keepAlive, run } = setUp();
    await run(MIN);
    bridge.failing = new Error('not connected');
    await vi.advanceTimersByTimeAsync(MIN);
    expect(keepAlive.resident()).toHaveLength(1);
    bridge.failing = null;
    bridge.emit('reconnected');
    await vi.advanceTimersByTimeAsync(0);
    expect(bridge.calls).toEqual(['end keep-alive/sentence-transformers/all-MiniLM-L6-v2']);
    expect(keepAlive.resident()).toEqual([]);
  });

  it('forgets everything, sending nothing, once the bridge is closed', async () => {
    const { bridge, keepAlive, run } = setUp();
    await run(5 * MIN);
    bridge.emit('status', { state: 'closed', tokenRejected: false });
    await vi.advanceTimersByTimeAsync(10 * MIN);
    expect(keepAlive.resident()).toEqual([]);
    expect(bridge.calls.filter((call) => call.startsWith('end'))).toEqual([]);
  });

  it('detached (a CLI) leaves leases to a later process, which can end them by their stable id', async () => {
    const first = setUp({ detached: true });
    await first.run(5 * MIN);
    await vi.advanceTimersByTimeAsync(60 * MIN);
    expect(first.bridge.calls).toEqual([]);

    const later = new ModelKeepAlive(first.bridge, { detached: true });
    const scope = later.openRun(0);
    scope.placement('embed', MINILM);
    await scope.finish();
    expect(first.bridge.calls).toEqual(['end keep-alive/sentence-transformers/all-MiniLM-L6-v2']);
    expect(first.bridge.openJobs.has('keep-alive/sentence-transformers/all-MiniLM-L6-v2')).toBe(false);
  });

  it('evictAll evicts every loaded model and ends every lease', async () => {
    const { bridge, keepAlive, run } = setUp();
    await run(5 * MIN);
    await run(5 * MIN, [['gen', OTHER]]);
    expect(await keepAlive.evictAll()).toEqual({ evicted: ['all'] });
    expect(bridge.calls.slice(-3).sort()).toEqual(['end keep-alive/org/other', 'end keep-alive/sentence-transformers/all-MiniLM-L6-v2', 'evict']);
    expect(keepAlive.resident()).toEqual([]);
  });

  it('leaves nodes that name no model under the run', async () => {
    const { keepAlive } = setUp();
    const scope = keepAlive.openRun(5 * MIN);
    expect(scope.placement('echo', { value: 1, model: 'a string, not a reference' })).toBeNull();
    await scope.finish();
    expect(keepAlive.resident()).toEqual([]);
  });
});
