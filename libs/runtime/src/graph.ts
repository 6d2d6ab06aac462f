/**
 * How a node fed by a stream lines its inputs up (nodetool's names; see docs/architecture.md, "Streams"):
 * `on_any` fires on every arrival once each input has a value, `zip_all` takes one item of each stream per firing.
 */
export type SyncMode = 'on_any' | 'zip_all';
export const SYNC_MODES: readonly SyncMode[] = ['on_any', 'zip_all'];

/** A node as the runtime sees it; editor fields (ui_properties, parent_id, ...) are dropped on load. */
export interface GraphNode {
  id: string;
  type: string;
  /** Property values set in the editor or the DSL. */
  data: Record<string, unknown>;
  /** Left out means `on_any`, what nodetool's editor saves for a node nobody changed. */
  sync_mode?: SyncMode;
}

export interface GraphEdge {
  id?: string;
  source: string;
  sourceHandle: string;
  target: string;
  targetHandle: string;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** A loaded workflow: the saved editor format or a bare graph, normalised. */
export interface Workflow {
  id: string;
  name: string;
  graph: Graph;
  /** Default run parameters stored with the workflow. */
  params: Record<string, unknown>;
  /** The scaled worker group its runs go to (`settings.worker_group`); a run may name another. */
  workerGroup?: string;
  /** The GPU memory its runs need (`settings.min_vram_gb`), said in the queue's metric for a cluster's autoscaler. */
  minVramGb?: number;
}
