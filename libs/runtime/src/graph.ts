/** A node as the runtime sees it; editor fields (ui_properties, parent_id, ...) are dropped on load. */
export interface GraphNode {
  id: string;
  type: string;
  /** Property values set in the editor or the DSL. */
  data: Record<string, unknown>;
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
}
