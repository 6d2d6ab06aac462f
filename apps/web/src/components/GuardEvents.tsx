import type { GuardEventInfo } from '@nt/api-contract';

/** What the cost guard did, newest first, and why. */
export function GuardEvents({ events }: { events: GuardEventInfo[] }) {
  return (
    <>
      <h3>Cost guard</h3>
      <ul className="guard-events" data-testid="guard-events">
        {events.slice(0, 20).map((event) => (
          <li key={event.id} data-reason={event.reason}>
            <span className="muted">{new Date(event.at).toLocaleTimeString()}</span> {event.action} <code>{event.worker}</code> ({event.reason}): {event.detail}
          </li>
        ))}
      </ul>
    </>
  );
}
