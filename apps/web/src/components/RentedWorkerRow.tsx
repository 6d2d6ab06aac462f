import type { RentedWorkerInfo } from '@nt/api-contract';

export type RentedWorkerAction = 'stop' | 'start' | 'destroy';

/** One rented worker: where it stands, what it costs, and what can be done to it now. */
export function RentedWorkerRow({ worker, busy, onAction }: { worker: RentedWorkerInfo; busy: boolean; onAction(action: RentedWorkerAction): void }) {
  return (
    <li className={`rented-worker rented-${worker.state}`} data-testid="rented-worker" data-worker={worker.id} data-state={worker.state}>
      <div className="worker-line">
        <code>{worker.id}</code> <span className="muted">{worker.gpu ?? ''}</span>
      </div>
      <div className="muted worker-details">
        {worker.stage} · ${worker.price_per_hour?.toFixed(3) ?? '?'}/h · cost so far ${worker.cost_so_far.toFixed(2)}
        {worker.attached ? ' · in the pool' : ''}
      </div>
      {worker.error && <div className="worker-error">{worker.error}</div>}
      <div className="actions">
        {worker.state === 'running' && (
          <button type="button" disabled={busy} onClick={() => onAction('stop')}>
            Stop
          </button>
        )}
        {worker.state === 'stopped' && (
          <button type="button" disabled={busy} onClick={() => onAction('start')}>
            Start
          </button>
        )}
        {worker.state !== 'failed' && (
          <button type="button" className="danger" disabled={busy} onClick={() => onAction('destroy')}>
            Destroy
          </button>
        )}
      </div>
    </li>
  );
}
