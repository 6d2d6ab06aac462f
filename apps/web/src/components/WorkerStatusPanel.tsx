import { useEffect, useState } from 'react';
import type { PoolHealth, WorkerHealth } from '@nt/api-contract';

const LABELS: Record<WorkerHealth['state'], string> = {
  connecting: 'Connecting',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  token_rejected: 'Token rejected',
  unreachable: 'Unreachable',
  stopped: 'Stopped',
};

interface Props {
  health: WorkerHealth | null;
  pool: PoolHealth | null;
  serverOnline: boolean;
  /** Scaled profiles: with no worker in the pool, workers come when a run waits. */
  onDemand?: string[];
}

/** The worker's state at a glance, and what to do when it is not connected. */
export function WorkerStatusPanel({ health, pool, serverOnline, onDemand = [] }: Props) {
  // Ticks once a second so the retry countdown counts down.
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  if (!serverOnline) {
    return (
      <section className="status status-down" data-testid="worker-status" data-state="server-offline">
        <strong>Server offline</strong> <span>reconnecting to the server…</span>
      </section>
    );
  }
  if (!health) return <section className="status">…</section>;
  if (pool && pool.total === 0 && onDemand.length) return <OnDemandStatus profiles={onDemand} />;
  if (pool && pool.total > 1) return <PoolStatus health={health} pool={pool} />;
  const retry = health.next_retry_at ? Math.max(0, Math.round((Date.parse(health.next_retry_at) - now) / 1000)) : null;
  return (
    <section className={`status status-${health.state}`} data-testid="worker-status" data-state={health.state}>
      <div className="status-headline">
        <span className="dot" />
        <strong>Worker: {LABELS[health.state]}</strong>
        {health.target && <code>{health.target}</code>}
      </div>
      {health.state === 'connected' && (
        <div className="status-details">
          protocol {health.protocol_version} · {health.node_count} nodes · {health.namespaces.join(', ') || 'no namespaces'} · {health.load_errors.length} load
          errors · round trip {health.last_round_trip_ms ?? '–'} ms
        </div>
      )}
      {health.state === 'token_rejected' && (
        <div className="status-details">
          The worker rejected the token (HTTP 401). Start the server with the worker's <code>NODETOOL_WORKER_TOKEN</code>.
          {retry !== null && (
            <>
              {' '}
              Retrying (attempt {health.attempt}) in {retry} s.
            </>
          )}
        </div>
      )}
      {(health.state === 'reconnecting' || health.state === 'unreachable') && (
        <div className="status-details">
          {health.error ?? 'The worker is not answering.'}
          {health.attempt !== undefined && (
            <>
              {' '}
              Attempt {health.attempt}
              {retry !== null ? `, next in ${retry} s` : ''}.
            </>
          )}
        </div>
      )}
    </section>
  );
}
/** Several workers: how many are connected, and what the others are doing. */
function PoolStatus({ health, pool }: { health: WorkerHealth; pool: PoolHealth }) {
  const down = pool.workers.filter((worker) => worker.state !== 'connected');
  return (
    <section
      className={`status status-${health.state}`}
      data-testid="worker-status"
      data-state={health.state}
      data-connected={pool.connected}
      data-total={pool.total}
    >
      <div className="status-headline">
        <span className="dot" />
        <strong>
          Workers: {pool.connected} of {pool.total} connected
        </strong>
      </div>
      <div className="status-details">
        {down.length === 0
          ? `${pool.workers.reduce((sum, worker) => sum + (worker.runs_in_flight ?? 0), 0)} runs in flight`
          : down.map((worker) => `${worker.id}: ${LABELS[worker.state].toLowerCase()}`).join(' · ')}
      </div>
    </section>
  );
}

/** No worker in the pool, and none needed until a run waits: a scaled profile rents one then. */
function OnDemandStatus({ profiles }: { profiles: string[] }) {
  return (
    <section className="status status-on-demand" data-testid="worker-status" data-state="on-demand">
      <div className="status-headline">
        <span className="dot" />
        <strong>Workers on demand</strong>
      </div>
      <div className="status-details">rented when a run waits: {profiles.join(', ')}</div>
    </section>
  );
}
