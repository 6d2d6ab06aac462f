import { useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ServerMessage } from '@nt/api-contract';
import { AuthRequiredError } from './api/client.js';
import { useCapacity, useWorkerStatus, useWorkflows } from './api/queries.js';
import { useServerEvents } from './api/serverEvents.js';
import { LoginForm } from './components/LoginForm.js';
import { Notice } from './components/Notice.js';
import { RunView } from './components/RunView.js';
import { Sidebar } from './components/Sidebar.js';
import { WorkerStatusPanel } from './components/WorkerStatusPanel.js';
import { useRun } from './run/useRun.js';

/** The console: the workers' state on top, workflows and the server's resources on the left, the selected workflow and its run. */
export function App() {
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // The run's messages reach useRun through this, since useRun needs the socket's `send` first.
  const runMessages = useRef<(message: ServerMessage) => void>(() => undefined);
  const reopened = useRef<() => void>(() => undefined);
  const { online, send } = useServerEvents(
    (message) => runMessages.current(message),
    () => reopened.current(),
  );
  const run = useRun(send);
  runMessages.current = run.onRunMessage;
  reopened.current = run.onReopen;
  const status = useWorkerStatus();
  const workflows = useWorkflows();
  const loginNeeded = workflows.error instanceof AuthRequiredError;
  // Profiles that rent a worker when a run waits: with none connected, that is not "unreachable".
  const onDemand = (useCapacity().data?.profiles ?? []).filter((entry) => entry.profile.scale).map((entry) => entry.profile.name);

  const select = (id: string) => {
    setSelected(id);
    run.clear();
  };

  return (
    <div className="app">
      <header>
        <h1>nodetool worker console</h1>
        <WorkerStatusPanel health={status.data?.health ?? null} pool={status.data?.pool ?? null} serverOnline={online} onDemand={onDemand} />
      </header>
      <Sidebar selected={selected} onSelect={select} onNotice={setNotice} workerConnected={status.data?.health?.state === 'connected'} />
      <main>
        {loginNeeded && <LoginForm onLoggedIn={() => void queryClient.invalidateQueries()} />}
        {notice && <Notice text={notice} onClose={() => setNotice(null)} />}
        {selected ? (
          <RunView workflowId={selected} run={run} />
        ) : (
          <p className="muted empty">Import a workflow (for example examples/hf-worker-smoke.json) or pick one on the left.</p>
        )}
      </main>
    </div>
  );
}
