/** The worker job that holds a set of models loaded (see ModelKeepAlive), and its key. */
const LEASE_PREFIX = 'keep-alive/';

/** One lease per set of models: their keys, sorted and joined. */
export function leaseKey(models: Iterable<string>): string {
  return [...new Set(models)].sort().join('+');
}

/** Stable across processes, so a later process finds, extends or ends the same lease. */
export function leaseJobId(key: string): string {
  return `${LEASE_PREFIX}${key}`;
}

/** A node's id under a lease: unique to the lease, since the worker keeps a node id's models while any open job has it. */
export function leaseNodeId(nodeId: string, key: string): string {
  return `${nodeId}@${key}`;
}
