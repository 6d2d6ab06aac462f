import { useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { keys, useNodes, useWorkerStatus, useWorkflows } from '../api/queries.js';
import { CapacityPanel } from './CapacityPanel.js';
import { ModelsPanel } from './ModelsPanel.js';
import { NodeBrowser } from './NodeBrowser.js';
import { RentedWorkersPanel } from './RentedWorkersPanel.js';
import { WorkersPanel } from './WorkersPanel.js';
import { WorkflowList } from './WorkflowList.js';

interface Props {
  selected: string | null;
  onSelect(id: string): void;
  onNotice(text: string): void;
  workerConnected: boolean;
}

/** Workflows (and importing one), the pool, rented workers, worker profiles with their capacity, models and the node types. */
export function Sidebar({ selected, onSelect, onNotice, workerConnected }: Props) {
  const queryClient = useQueryClient();
  const workflows = useWorkflows();
  const nodes = useNodes();
  const pool = useWorkerStatus().data?.pool;

  const importFile = async (file: File) => {
    try {
      const { body: imported } = await api.workflows.import({ body: parseJson(await file.text()) });
      onNotice(`Imported “${imported.name}”`);
      await queryClient.invalidateQueries({ queryKey: keys.workflows });
      onSelect(imported.id);
    } catch (error) {
      onNotice(`Import of ${file.name} failed: ${(error as Error).message}`);
    }
  };

  return (
    <aside>
      <WorkflowList workflows={workflows.data ?? []} selected={selected} onSelect={onSelect} onImport={importFile} />
      {pool && pool.total > 1 && <WorkersPanel pool={pool} />}
      <RentedWorkersPanel onError={onNotice} />
      <CapacityPanel />
      <ModelsPanel workerConnected={workerConnected} />
      <NodeBrowser nodes={nodes.data ?? []} />
    </aside>
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`it is not valid JSON (${(error as Error).message})`, { cause: error });
  }
}
