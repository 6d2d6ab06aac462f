/** A saved workflow in the list. */
export interface WorkflowSummary {
  id: string;
  name: string;
  description: string;
  node_count: number;
}

/** A node of the editor's saved format, position included. */
export interface EditorNode {
  id: string;
  type: string;
  data: Record<string, unknown>;
  ui_properties?: { position?: { x: number; y: number }; title?: string; width?: number };
}

export interface EditorEdge {
  id?: string;
  source: string;
  sourceHandle?: string;
  target: string;
  targetHandle?: string;
}

/** A saved workflow as /api/workflows/:id answers it: the document as imported (editor format or bare graph). */
export interface StoredWorkflow {
  id: string;
  name: string;
  description?: string;
  document: { graph?: { nodes: EditorNode[]; edges: EditorEdge[] }; nodes?: EditorNode[]; edges?: EditorEdge[]; [key: string]: unknown };
  created_at?: string;
  updated_at?: string;
}
