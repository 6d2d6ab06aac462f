import type { RunState } from '../run/runState.js';

/** What the run's nodes logged, folded away until asked for. */
export function RunLogs({ logs }: { logs: RunState['logs'] }) {
  return (
    <details className="panel logs">
      <summary>Node logs ({logs.length})</summary>
      <ul>
        {logs.map((line, index) => (
          <li key={index} className={`log-${line.severity}`}>
            <code>{line.nodeId}</code> {line.content}
          </li>
        ))}
      </ul>
    </details>
  );
}
