import { z } from 'zod';

/** A saved workflow in the list. */
export const WorkflowSummary = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  node_count: z.number(),
  updated_at: z.string(),
});
export type WorkflowSummary = z.infer<typeof WorkflowSummary>;

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

/** The document as imported (editor format or bare graph): kept as is, so the UI draws it as saved. */
export type WorkflowDocument = { graph?: { nodes: EditorNode[]; edges: EditorEdge[] }; nodes?: EditorNode[]; edges?: EditorEdge[]; [key: string]: unknown };

/** A saved workflow as /api/workflows/:id answers it. */
export const StoredWorkflow = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  // Checked by the runtime when it was imported; here it is the user's document, returned as stored.
  document: z.custom<WorkflowDocument>((value) => typeof value === 'object' && value !== null && !Array.isArray(value)),
  created_at: z.string(),
  updated_at: z.string(),
});
export type StoredWorkflow = z.infer<typeof StoredWorkflow>;

/** POST /api/workflows: what was imported. */
export const ImportedWorkflow = z.object({ id: z.string(), name: z.string(), node_count: z.number() });
export type ImportedWorkflow = z.infer<typeof ImportedWorkflow>;
