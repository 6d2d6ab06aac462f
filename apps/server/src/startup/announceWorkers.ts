import type { WorkerPool } from '../workers/workerPool.js';

/** A log line per worker each time its state changes (not on every status the pool sends). */
export function announceWorkers(workers: WorkerPool, log: (line: string) => void): void {
  const announced = new Map<string, string>();
  workers.on('status', (pool) => {
    for (const health of pool.workers) {
      const line = `worker ${health.id} ${health.state}${health.error ? `: ${health.error}` : ''}`;
      if (announced.get(health.id as string) === line) continue;
      announced.set(health.id as string, line);
      log(
        health.state === 'connected'
          ? `worker ${health.id} ready: protocol ${health.protocol_version}, ${health.node_count} nodes, namespaces ${health.namespaces.join(', ') || '(none)'}, ${health.load_errors.length} load errors, round trip ${health.last_round_trip_ms} ms`
          : line,
      );
    }
  });
}
