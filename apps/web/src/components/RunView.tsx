import type { EditorEdge, EditorNode } from '@nt/api-contract';
import { useWorkflow } from '../api/queries.js';
import type { useRun } from '../run/useRun.js';
import { DownloadBar } from './DownloadBar.js';
import { GraphView } from './GraphView.js';
import { OutputsPanel } from './OutputsPanel.js';
import { RunLogs } from './RunLogs.js';
import { RunToolbar } from './RunToolbar.js';

/** The selected workflow: its graph with each node's state, Run / Cancel, the models fetched first, outputs and logs. */
export function RunView({ workflowId, run: control }: { workflowId: string; run: ReturnType<typeof useRun> }) {
  const workflow = useWorkflow(workflowId).data;
  if (!workflow) return <p className="muted empty">Loading…</p>;
  const { run } = control;
  const document = workflow.document;
  const graph: { nodes: EditorNode[]; edges: EditorEdge[] } = document.graph ?? { nodes: document.nodes ?? [], edges: document.edges ?? [] };
  return (
    <>
      <RunToolbar name={workflow.name} run={run} running={control.running} onRun={() => control.start(workflow.id)} onCancel={control.cancel} />
      {run?.error && (
        <div className="run-error" data-testid="run-error">
          {run.error}
        </div>
      )}
      {run?.missedEvents ? (
        <div className="run-note" data-testid="run-missed">
          {run.missedEvents} events of this run went by while the connection was down and are no longer held; what is shown is the run as it stands.
        </div>
      ) : null}
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
        <OutputsPanel outputs={run?.outputs ?? {}} live={run?.live ?? {}} />
      </section>
      {run && run.logs.length > 0 && <RunLogs logs={run.logs} />}
    </>
  );
}
