import type { PoolHealth } from '@nt/api-contract';

const STATE: Record<string, string> = {
  connected: 'connected',
  connecting: 'connecting',
  reconnecting: 'reconnecting',
  token_rejected: 'token rejected',
  unreachable: 'unreachable',
  stopped: 'stopped',
};

/** Every worker of the pool: state, protocol, nodes, load against its limit, models kept loaded, round trip. */
export function WorkersPanel({ pool }: { pool: PoolHealth }) {
  return (
    <section className="panel workers" data-testid="workers-panel">
      <h2>
        Workers{' '}
        <span className="count">
          {pool.connected}/{pool.total}
        </span>
      </h2>
      <ul>
        {pool.workers.map((worker) => (
          <li key={worker.id} className={`worker worker-${worker.state}`} data-testid="pool-worker" data-worker={worker.id} data-state={worker.state}>
            <div className="worker-line">
              <span className="dot" />
              <code>{worker.id}</code>
            </div>
            <div className="muted worker-details">
              {STATE[worker.state] ?? worker.state}
              {worker.state === 'connected' && ` · protocol ${worker.protocol_version} · ${worker.node_count} nodes · ${worker.last_round_trip_ms ?? '–'} ms`}
              {` · ${worker.runs_in_flight ?? 0}${worker.max_concurrent_runs ? `/${worker.max_concurrent_runs}` : ''} running`}
              {worker.resident_models?.length ? ` · loaded: ${worker.resident_models.join(', ')}` : ''}
              {worker.labels && Object.keys(worker.labels).length
                ? ` · ${Object.entries(worker.labels)
                    .map(([key, value]) => `${key}=${value}`)
                    .join(' ')}`
                : ''}
            </div>
            {worker.error && worker.state !== 'connected' && <div className="worker-error">{worker.error}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
}
