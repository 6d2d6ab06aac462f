import { useState } from 'react';
import type { RentedWorkerInfo } from '@nt/api-contract';
import { api } from '../api/client.js';
import { useGuardEvents, useRentedWorkers, useWorkerProfiles } from '../api/queries.js';
import { GuardEvents } from './GuardEvents.js';
import { RentedWorkerRow, type RentedWorkerAction } from './RentedWorkerRow.js';
import { RentForm } from './RentForm.js';

/**
 * Rented GPU workers (nodetool worker create, or the API): each with its state, price, uptime and cost
 * so far, Stop / Start / Destroy, renting a new one from a profile, and what the cost guard did and why.
 * Destroy asks first. Their changes arrive over the WebSocket.
 */
export function RentedWorkersPanel({ onError }: { onError: (message: string) => void }) {
  const workers = useRentedWorkers().data ?? [];
  const events = useGuardEvents().data ?? [];
  const profiles = useWorkerProfiles().data ?? [];
  const [busy, setBusy] = useState<string | null>(null);

  const act = async (worker: RentedWorkerInfo, action: RentedWorkerAction) => {
    if (action === 'destroy' && !window.confirm(`Destroy ${worker.id}? Its instance and disk are deleted.`)) return;
    setBusy(worker.id);
    try {
      const params = { id: worker.id };
      if (action === 'destroy') await api.rentedWorkers.destroy({ params, body: { confirm: worker.id } });
      else await api.rentedWorkers[action]({ params });
    } catch (error) {
      onError(`${action} ${worker.id}: ${(error as Error).message}`);
    } finally {
      setBusy(null);
    }
  };
  const rent = async (profile: string) => {
    try {
      await api.rentedWorkers.create({ body: { profile, attach: true } });
    } catch (error) {
      onError(`rent from ${profile}: ${(error as Error).message}`);
    }
  };

  const live = workers.filter((worker) => worker.state !== 'destroyed');
  if (!live.length && !events.length && !profiles.length) return null;
  return (
    <section className="panel rented" data-testid="rented-workers-panel">
      <h2>Rented workers</h2>
      {profiles.length > 0 && <RentForm profiles={profiles} onRent={rent} />}
      <ul>
        {live.map((worker) => (
          <RentedWorkerRow key={worker.id} worker={worker} busy={busy === worker.id} onAction={(action) => void act(worker, action)} />
        ))}
      </ul>
      {events.length > 0 && <GuardEvents events={events} />}
    </section>
  );
}
