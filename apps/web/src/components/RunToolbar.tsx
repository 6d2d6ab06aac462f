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
    </div>
  );
}
