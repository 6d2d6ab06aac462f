import type { CapacityReport } from '@nt/api-contract';
import { useCapacity } from '../api/queries.js';

const usd = (amount: number) => `$${amount.toFixed(2)}`;

/**
 * Elastic capacity: what rentals cost today against the daily cap, each profile with its scale (by hand,
 * or min–max in its group), its instances and its spend today, and the runs waiting for each group.
 */
export function CapacityPanel() {
  const report = useCapacity().data;
  if (!report || !report.profiles.length) return null;
  return (
    <section className="panel capacity" data-testid="capacity-panel">
      <h2>Worker profiles</h2>
      <p className="spend" data-testid="capacity-spend">
        Today (UTC): {usd(report.spent_today)} of {usd(report.max_spend_per_day)}
        {report.capped && <span className="capped"> — {report.capped}</span>}
      </p>
      <table>
        <thead>
          <tr>
            <th>Profile</th>
            <th>Scale</th>
            <th>Instances</th>
            <th>Today</th>
          </tr>
        </thead>
        <tbody>
          {report.profiles.map((entry) => (
            <ProfileRow key={entry.profile.name} entry={entry} />
          ))}
        </tbody>
      </table>
      {report.groups
        .filter((group) => group.waiting_runs > 0)
        .map((group) => (
          <p key={group.group} className="waiting-group">
            {group.group}: {group.waiting_runs} waiting — {group.waiting?.text ?? 'waiting for a worker'}
          </p>
        ))}
    </section>
  );
}

function ProfileRow({ entry }: { entry: CapacityReport['profiles'][number] }) {
  const { profile, instances } = entry;
  const scale = profile.scale ? `${profile.scale.min}–${profile.scale.max} in ${profile.group}${profile.interruptible ? ' (interruptible)' : ''}` : 'by hand';
  return (
    <tr data-testid={`capacity-${profile.name}`}>
      <td title={`${profile.provider}: ${profile.gpu_count}× ${profile.gpu_type}, at most $${profile.max_price_per_hour}/h`}>{profile.name}</td>
      <td>{scale}</td>
      <td>
        {instances.running} running, {instances.booting} starting, {instances.stopped} stopped
        {entry.braked && <div className="braked">{entry.braked}</div>}
      </td>
      <td>{usd(entry.spent_today)}</td>
    </tr>
  );
}
