import { useRef, useState, type DragEvent } from 'react';
import type { WorkflowSummary } from '@nt/api-contract';

interface Props {
  workflows: WorkflowSummary[];
  selected: string | null;
  onSelect(id: string): void;
  onImport(file: File): Promise<void>;
}

/** Saved workflows, plus import by file picker or by dropping a .json file on the list. */
export function WorkflowList({ workflows, selected, onSelect, onImport }: Props) {
  const picker = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) void onImport(file);
  };
  return (
    <section
      className={`panel workflows${dragging ? ' dragging' : ''}`}
      onDragOver={(event) => (event.preventDefault(), setDragging(true))}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid="workflow-dropzone"
    >
      <h2>Workflows</h2>
      <button type="button" onClick={() => picker.current?.click()}>
        Import workflow…
      </button>
      <input
        ref={picker}
        type="file"
        accept=".json,application/json"
        hidden
        data-testid="workflow-file"
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) void onImport(file);
          event.target.value = '';
        }}
      />
      <p className="muted">or drop a workflow .json here</p>
      <ul>
        {workflows.map((workflow) => (
          <li key={workflow.id}>
            <button type="button" className={workflow.id === selected ? 'selected' : ''} onClick={() => onSelect(workflow.id)}>
              {workflow.name}
              <span className="muted"> · {workflow.node_count} nodes</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
