import { describe, expect, it } from 'vitest';
import { chooseWorker, type Candidate } from './chooseWorker.js';

const worker = (id: string, extra: Partial<Omit<Candidate, 'offers' | 'holds'>> & { types?: string[]; models?: string[] } = {}): Candidate => ({
  id,
  connected: extra.connected ?? true,
  offers: (type) => (extra.types ?? ['hf.Embed', 'fixtures.Sleep']).includes(type),
  holds: (model) => (extra.models ?? []).includes(model),
  runsInFlight: extra.runsInFlight ?? 0,
  maxConcurrentRuns: extra.maxConcurrentRuns ?? null,
});
const needs = { nodeTypes: ['hf.Embed'], models: ['org/minilm'] };

describe('choosing a worker for a run', () => {
  it('takes the least busy of the workers that offer every node type', () => {
    const pick = chooseWorker([worker('a', { runsInFlight: 3 }), worker('b', { runsInFlight: 1 }), worker('c', { types: ['fixtures.Sleep'] })], needs);
    expect(pick.chosen?.id).toBe('b');
  });

  it('prefers a worker that holds the run’s models loaded over a less busy one', () => {
    expect(chooseWorker([worker('idle'), worker('warm', { runsInFlight: 2, models: ['org/minilm'] })], needs).chosen?.id).toBe('warm');
  });

  it('skips disconnected workers and full ones; says whether the run can wait or cannot run at all', () => {
    expect(chooseWorker([worker('down', { connected: false }), worker('full', { runsInFlight: 1, maxConcurrentRuns: 1 })], needs)).toEqual({
      chosen: null,
      eligible: true,
    });
    expect(chooseWorker([worker('down', { connected: false }), worker('other', { types: ['x'] })], needs)).toEqual({ chosen: null, eligible: false });
  });

  it('keeps the listed order between equals', () => {
    expect(chooseWorker([worker('first'), worker('second')], needs).chosen?.id).toBe('first');
  });
});
