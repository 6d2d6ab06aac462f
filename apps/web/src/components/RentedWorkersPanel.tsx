import { useState } from 'react';
import type { GuardEventInfo, RentedWorkerInfo } from '@nt/api-contract';
import { api } from '../api.js';

/**
 * Rented GPU workers (nodetool worker create, or the API): each with its state, price, uptime and cost
 * so far, Stop / Start / Destroy, renting a new one from a profile, and what the cost guard did and why.
 * Destroy asks first.
 */
export function RentedWorkersPanel({
  workers,
  events,
  profiles,
  onError,
}: {
  workers: RentedWorkerInfo[];
  events: GuardEventInfo[];
  profiles: string[];
  onError: (message: string) => void;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [profile, setProfile] = useState('');
  const [creating, setCreating] = useState(false);
  const rent = async () => {
    const chosen = profile || profiles[0];
    if (!chosen) return;
    setCreating(true);
    try {
      await api.rentWorker(chosen, true);
    } catch (error) {
      onError(`rent from ${chosen}: ${(error as Error).message}`);
    } finally {
      setCreating(false);
    }
  };
  const act = async (worker: RentedWorkerInfo, action: 'stop' | 'start' | 'destroy') => {
    if (action === 'destroy' && !window.confirm(`Destroy ${worker.id}? Its instance and disk are deleted.`)) return;
    setBusy(worker.id);
    try {
      await api.rentedWorkerAction(worker.id, action);
    } catch (error) {
      onError(`${action} ${worker.id}: ${(error as Error).message}`);
    } finally {
      setBusy(null);
    }
  };
  const live = workers.filter((worker) => worker.state !== 'destroyed');
  if (!live.length && !events.length && !profiles.length) return null;
  return (
    <section className="panel rented" data-testid="rented-workers-panel">
      <h2>Rented workers</h2>
      {profiles.length > 0 && (
        <div className="rent-form">
          <select aria-label="worker profile" value={profile || profiles[0]} onChange={(event) => setProfile(event.target.value)}>
            {profiles.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
          <button type="button" disabled={creating} onClick={() => void rent()}>
            Rent and attach
          </button>
        </div>
      )}
      <ul>
        {live.map((worker) => (
          <li key={worker.id} className={`rented-worker rented-${worker.state}`} data-testid="rented-worker" data-worker={worker.id} data-state={worker.state}>
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
                <button type="button" disabled={busy === worker.id} onClick={() => void act(worker, 'stop')}>
                  Stop
                </button>
              )}
              {worker.state === 'stopped' && (
                <button type="button" disabled={busy === worker.id} onClick={() => void act(worker, 'start')}>
                  Start
                </button>
              )}
              {worker.state !== 'failed' && (
                <button type="button" className="danger" disabled={busy === worker.id} onClick={() => void act(worker, 'destroy')}>
                  Destroy
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      {events.length > 0 && (
        <>
          <h3>Cost guard</h3>
          <ul className="guard-events" data-testid="guard-events">
            {events.slice(0, 20).map((event) => (
              <li key={event.id} data-reason={event.reason}>
                <span className="muted">{new Date(event.at).toLocaleTimeString()}</span> {event.action} <code>{event.worker}</code> ({event.reason}):{' '}
                {event.detail}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
