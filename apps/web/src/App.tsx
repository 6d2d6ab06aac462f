import { useCallback, useEffect, useState } from 'react';
import { api, AuthRequiredError } from './api.js';
import { GraphView } from './components/GraphView.js';
import { DownloadBar } from './components/DownloadBar.js';
import { LoginForm } from './components/LoginForm.js';
import { ModelsPanel } from './components/ModelsPanel.js';
import { NodeBrowser } from './components/NodeBrowser.js';
import { OutputsPanel } from './components/OutputsPanel.js';
import { RentedWorkersPanel } from './components/RentedWorkersPanel.js';
import { WorkersPanel } from './components/WorkersPanel.js';
import { WorkerStatusPanel } from './components/WorkerStatusPanel.js';
import { WorkflowList } from './components/WorkflowList.js';
import { applyRunMessage, startedRun, type RunState } from './runState.js';
import type {
  ModelDownloadProgress,
  NodeMetadata,
  PoolHealth,
  ResidentModel,
  ServerMessage,
  StoredWorkflow,
  WorkerHealth,
  WorkflowSummary,
  GuardEventInfo,
  RentedWorkerInfo,
} from '@nt/api-contract';
import { useServerEvents } from './useServerEvents.js';

export function App() {
  const [health, setHealth] = useState<WorkerHealth | null>(null);
  const [pool, setPool] = useState<PoolHealth | null>(null);
  const [serverOnline, setServerOnline] = useState(true);
  const [nodes, setNodes] = useState<NodeMetadata[]>([]);
  const [workflows, setWorkflows] = useState<WorkflowSummary[]>([]);
  const [selected, setSelected] = useState<StoredWorkflow | null>(null);
  const [run, setRun] = useState<RunState | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [loginNeeded, setLoginNeeded] = useState(false);
  const [downloads, setDownloads] = useState<Record<string, ModelDownloadProgress>>({});
  const [resident, setResident] = useState<{ models: ResidentModel[]; receivedAt: number } | null>(null);
  const [rented, setRented] = useState<RentedWorkerInfo[]>([]);
  const [guardEvents, setGuardEvents] = useState<GuardEventInfo[]>([]);
  const [profiles, setProfiles] = useState<string[]>([]);

  const refresh = useCallback(async () => {
    try {
      const [nodeList, workflowList, rentedList, eventList, profileList] = await Promise.all([
        api.nodes(),
        api.workflows(),
        api.rentedWorkers(),
        api.guardEvents(),
        api.workerProfiles(),
      ]);
      setProfiles(profileList.profiles.map((profile) => profile.name));
      setNodes(nodeList.nodes);
      setWorkflows(workflowList.workflows);
      setRented(rentedList.workers);
      setGuardEvents(eventList.events);
      setLoginNeeded(false);
    } catch (error) {
      if (error instanceof AuthRequiredError) setLoginNeeded(true);
      else setNotice((error as Error).message);
    }
  }, []);

  const send = useServerEvents((message: ServerMessage) => {
    if (message.type === 'worker_status') {
      const { type: _type, pool: workers, ...status } = message;
      setHealth(status as WorkerHealth);
      setPool(workers);
      if (status.state === 'connected') void refresh();
      return;
    }
    if (message.type === 'models_download') {
      const { type: _type, ...progress } = message;
      setDownloads((current) => ({ ...current, [`${progress.repo_id}:${progress.path ?? ''}`]: progress }));
      return;
    }
    if (message.type === 'models_resident') {
      setResident({ models: message.resident, receivedAt: Date.now() });
      return;
    }
    if (message.type === 'rented_worker') {
      const changed = message.worker;
      setRented((current) => [...current.filter((worker) => worker.id !== changed.id), changed].sort((a, b) => a.created_at.localeCompare(b.created_at)));
      return;
    }
    if (message.type === 'cost_guard') {
      const event = message.event;
      setGuardEvents((current) => [event, ...current].slice(0, 50));
      return;
    }
    setRun((current) => applyRunMessage(current, message));
  }, setServerOnline);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const select = async (id: string) => {
    setSelected(await api.workflow(id));
    setRun(null);
  };

  const importFile = async (file: File) => {
    try {
      const imported = await api.importWorkflow(await file.text());
      setNotice(`Imported “${imported.name}”`);
      await refresh();
      await select(imported.id);
    } catch (error) {
      setNotice(`Import of ${file.name} failed: ${(error as Error).message}`);
    }
  };

  // Over the WebSocket: the server sends this page the events of the runs it started, and nobody else's.
  const start = () => {
    if (!selected) return;
    const jobId = `ui-${crypto.randomUUID()}`;
    setRun(startedRun(jobId, selected.id));
    if (!send({ command: 'run_job', data: { workflow_id: selected.id, job_id: jobId }, request_id: jobId })) {
      setRun((current) => current && { ...current, status: 'failed', error: 'not connected to the server; try again in a moment' });
    }
  };

  const running = run?.status === 'starting' || run?.status === 'running';
  const graph = selected?.document.graph ?? { nodes: selected?.document.nodes ?? [], edges: selected?.document.edges ?? [] };

  return (
    <div className="app">
      <header>
        <h1>nodetool worker console</h1>
        <WorkerStatusPanel health={health} pool={pool} serverOnline={serverOnline} />
      </header>
      <aside>
        <WorkflowList workflows={workflows} selected={selected?.id ?? null} onSelect={(id) => void select(id)} onImport={importFile} />
        {pool && pool.total > 1 && <WorkersPanel pool={pool} />}
        <RentedWorkersPanel workers={rented} events={guardEvents} profiles={profiles} onError={setNotice} />
        <ModelsPanel workerConnected={health?.state === 'connected'} downloads={downloads} resident={resident} />
        <NodeBrowser nodes={nodes} />
      </aside>
      <main>
        {loginNeeded && <LoginForm onLoggedIn={() => void refresh()} />}
        {notice && (
          <div className="notice" role="status">
            {notice}{' '}
            <button type="button" onClick={() => setNotice(null)}>
              ×
            </button>
          </div>
        )}
        {selected ? (
          <>
            <div className="toolbar">
              <h2>{selected.name}</h2>
              <button type="button" className="primary" onClick={start} disabled={running}>
                Run
              </button>
              <button type="button" onClick={() => run && void api.cancel(run.jobId)} disabled={!running}>
                Cancel
              </button>
              {run && (
                <span className={`run-status run-${run.status}`} data-testid="run-status">
                  {run.status}
                  {run.durationMs !== undefined ? ` in ${run.durationMs} ms` : ''}
                </span>
              )}
            </div>
            {run?.error && (
              <div className="run-error" data-testid="run-error">
                {run.error}
              </div>
            )}
            {run && Object.keys(run.downloads).length > 0 && (
              <section className="panel run-downloads" data-testid="run-downloads">
                <h2>Fetching models for this run</h2>
                {Object.entries(run.downloads).map(([key, progress]) => (
                  <DownloadBar key={key} progress={progress} />
                ))}
              </section>
            )}
            <GraphView nodes={graph.nodes} edges={graph.edges} runNodes={run?.nodes ?? {}} />
            <section className="panel">
              <h2>Outputs</h2>
              <OutputsPanel outputs={run?.outputs ?? {}} />
            </section>
            {run && run.logs.length > 0 && (
              <details className="panel logs">
                <summary>Node logs ({run.logs.length})</summary>
                <ul>
                  {run.logs.map((line, index) => (
                    <li key={index} className={`log-${line.severity}`}>
                      <code>{line.nodeId}</code> {line.content}
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </>
        ) : (
          <p className="muted empty">Import a workflow (for example examples/hf-worker-smoke.json) or pick one on the left.</p>
        )}
      </main>
    </div>
  );
}
