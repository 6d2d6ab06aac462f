import { useState } from 'react';
import type { EditorEdge, EditorNode, StoredWorkflow } from '@nt/api-contract';
import { useWorkflow } from '../api/queries.js';
import { uploadAsset } from '../api/uploadAsset.js';
import { initialDrafts, paramsOf, type InputDraft } from '../run/inputValues.js';
import type { useRun } from '../run/useRun.js';
import { DownloadBar } from './DownloadBar.js';
import { GraphView } from './GraphView.js';
import { InputsForm } from './InputsForm.js';
import { OutputsPanel } from './OutputsPanel.js';
import { RunLogs } from './RunLogs.js';
import { RunToolbar } from './RunToolbar.js';

/** The selected workflow: its inputs, its graph with each node's state, Run / Cancel, the models fetched first, outputs and logs. */
export function RunView({ workflowId, run: control }: { workflowId: string; run: ReturnType<typeof useRun> }) {
  const workflow = useWorkflow(workflowId).data;
  if (!workflow) return <p className="muted empty">Loading…</p>;
  return <LoadedRunView key={workflow.id} workflow={workflow} control={control} />;
}

function LoadedRunView({ workflow, control }: { workflow: StoredWorkflow; control: ReturnType<typeof useRun> }) {
  const { run } = control;
  const inputs = workflow.interface.inputs;
  const [drafts, setDrafts] = useState<Record<string, InputDraft>>(() => initialDrafts(inputs));
  const [problems, setProblems] = useState<string[]>([]);
  const [uploading, setUploading] = useState(false);
  // Files are uploaded before the run starts; what is wrong is said by input, and nothing runs.
  const onRun = async () => {
    setProblems([]);
    setUploading(true);
    try {
      const outcome = await paramsOf(inputs, drafts, uploadAsset);
      if ('problems' in outcome) setProblems(outcome.problems);
      else control.start(workflow.id, outcome.params);
    } catch (error) {
      setProblems([(error as Error).message]);
    } finally {
      setUploading(false);
    }
  };
  const document = workflow.document;
  const graph: { nodes: EditorNode[]; edges: EditorEdge[] } = document.graph ?? { nodes: document.nodes ?? [], edges: document.edges ?? [] };
  return (
    <>
      <RunToolbar name={workflow.name} run={run} running={control.running || uploading} onRun={() => void onRun()} onCancel={control.cancel} />
      <InputsForm
        inputs={inputs}
        drafts={drafts}
        onChange={(name, draft) => setDrafts((current) => ({ ...current, [name]: draft }))}
        problems={problems}
        disabled={control.running || uploading}
      />
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
