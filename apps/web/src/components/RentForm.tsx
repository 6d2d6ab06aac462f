import { useState } from 'react';

/** Rent a worker from a profile and attach it to the pool. */
export function RentForm({ profiles, onRent }: { profiles: string[]; onRent(profile: string): Promise<void> }) {
  const [profile, setProfile] = useState('');
  const [creating, setCreating] = useState(false);
  const chosen = profile || profiles[0];
  const rent = async () => {
    if (!chosen) return;
    setCreating(true);
    try {
      await onRent(chosen);
    } finally {
      setCreating(false);
    }
  };
  return (
    <div className="rent-form">
      <select aria-label="worker profile" value={chosen} onChange={(event) => setProfile(event.target.value)}>
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
  );
}
