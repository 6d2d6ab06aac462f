import { useState, type FormEvent } from 'react';
import { api } from '../api/client.js';

/** Shown when the server has NODETOOL_SERVER_TOKEN set and this browser has no session. */
export function LoginForm({ onLoggedIn }: { onLoggedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await api.auth.login({ body: { token } });
      setToken('');
      onLoggedIn();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <form className="panel login" data-testid="login-form" onSubmit={(event) => void submit(event)}>
      <h2>This server needs its token</h2>
      <p className="muted">
        Enter the value of NODETOOL_SERVER_TOKEN the server was started with. It is exchanged for a session cookie and not stored by this page.
      </p>
      <input
        type="password"
        autoComplete="current-password"
        aria-label="Server token"
        data-testid="login-token"
        value={token}
        onChange={(event) => setToken(event.target.value)}
      />
      <button type="submit" className="primary">
        Log in
      </button>
      {error && (
        <p className="run-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
