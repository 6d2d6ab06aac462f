/** What a run needs of a worker, and what the pool knows of each worker, for choosing one. */
export interface RunNeeds {
  /** The Python node types of the run; a worker must offer every one. */
  nodeTypes: string[];
  /** The models its nodes name (model keys). */
  models: string[];
  /** Only workers of this group (their `group` label: a rented worker's profile's group) may take it. */
  group?: string;
}

export interface Candidate {
  id: string;
  connected: boolean;
  offers(nodeType: string): boolean;
  /** Models its keep-alive holds loaded right now. */
  holds(model: string): boolean;
  runsInFlight: number;
  /** Null: no limit of its own. */
  maxConcurrentRuns: number | null;
  /** Set: it takes no new run (a rented worker past its time to live or spend ceiling, about to be stopped). */
  closedToNewRuns?: string | null;
  labels?: Record<string, string>;
}

/**
 * The worker for a run: connected, offering every node type the run needs, with room for one more
 * run; among those, the one already holding the most of the run's models (no reload), then the one
 * with the fewest runs in flight, then the first listed (a stable order). Null when none can take it
 * now: `eligible` says whether one could once it has room (the run waits) or none could (it fails).
 */
export function chooseWorker<T extends Candidate>(candidates: readonly T[], needs: RunNeeds): { chosen: T | null; eligible: boolean } {
  const able = candidates.filter(
    (candidate) =>
      candidate.connected &&
      !candidate.closedToNewRuns &&
      (needs.group === undefined || candidate.labels?.['group'] === needs.group) &&
      needs.nodeTypes.every((type) => candidate.offers(type)),
  );
  const free = able.filter((candidate) => candidate.maxConcurrentRuns === null || candidate.runsInFlight < candidate.maxConcurrentRuns);
  let chosen: T | null = null;
  let best: [number, number] = [-1, Infinity];
  for (const candidate of free) {
    const warm = needs.models.filter((model) => candidate.holds(model)).length;
    if (warm > best[0] || (warm === best[0] && candidate.runsInFlight < best[1])) {
      chosen = candidate;
      best = [warm, candidate.runsInFlight];
    }
  }
  return { chosen, eligible: able.length > 0 };
}
