import { useEffect, useState } from 'react';
import type { RunWaiting } from '@nt/api-contract';
import type { RunState } from '../run/runState.js';

interface Props {
  name: string;
  run: RunState | null;
  running: boolean;
  onRun(): void;
  onCancel(): void;
}

/** The workflow's name, Run and Cancel, and where the run stands. */
export function RunToolbar({ name, run, running, onRun, onCancel }: Props) {
  return (
    <div className="toolbar">
      <h2>{name}</h2>
      <button type="button" className="primary" onClick={onRun} disabled={running}>
        Run
      </button>
      <button type="button" onClick={onCancel} disabled={!running}>
        Cancel
      </button>
      {run && (
        <span className={`run-status run-${run.status}`} data-testid="run-status">
          {run.status}
          {run.durationMs !== undefined ? ` in ${run.durationMs} ms` : ''}
        </span>
      )}
      {run?.status === 'queued' && run.waiting && <WaitingFor waiting={run.waiting} />}
    </div>
  );
}

/** What a queued run waits for ("renting 1× RTX 4090 on Vast.ai at $0.41/h (vast:123), booting"), with the seconds ticking. */
function WaitingFor({ waiting }: { waiting: RunWaiting }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.round((now - Date.parse(waiting.since)) / 1000));
  return (
    <span className="run-waiting" data-testid="run-waiting">
      {waiting.text.replace(/, \d+ s$/, '')}, {seconds} s
    </span>
  );
}
