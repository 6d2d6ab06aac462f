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

/** One input of a workflow: an input node, bound by its `name` from a run's params. */
export const WorkflowInput = z.object({
  name: z.string(),
  node_id: z.string(),
  node_type: z.string(),
  /** nodetool's type of its value: str, int, float, bool, image, audio, video, document, list[str], … */
  type: z.string(),
  description: z.string(),
  /** The value saved with the workflow, used when a run gives none (absent for media that must be given). */
  default: z.unknown().optional(),
  /** A run must give it: a media input saved without a value this server can read. */
  required: z.boolean(),
  min: z.number().optional(),
  max: z.number().optional(),
  /** A SelectInput's choices. */
  options: z.array(z.string()).optional(),
});
export type WorkflowInput = z.infer<typeof WorkflowInput>;

/** One result of a workflow: an Output or Preview node, by the name its value has in a run's outputs. */
export const WorkflowOutput = z.object({ name: z.string(), node_id: z.string(), node_type: z.string() });
export type WorkflowOutput = z.infer<typeof WorkflowOutput>;

/** What a client needs to run a workflow and read its result (nodetool's workflow interface). */
export const WorkflowInterface = z.object({ inputs: z.array(WorkflowInput), outputs: z.array(WorkflowOutput) });
export type WorkflowInterface = z.infer<typeof WorkflowInterface>;

/** A saved workflow as /api/workflows/:id answers it. */
export const StoredWorkflow = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  // Checked by the runtime when it was imported; here it is the user's document, returned as stored.
  document: z.custom<WorkflowDocument>((value) => typeof value === 'object' && value !== null && !Array.isArray(value)),
  created_at: z.string(),
  updated_at: z.string(),
  /** Its inputs and outputs, read from its nodes. */
  interface: WorkflowInterface,
});
export type StoredWorkflow = z.infer<typeof StoredWorkflow>;

/** POST /api/workflows: what was imported. */
export const ImportedWorkflow = z.object({ id: z.string(), name: z.string(), node_count: z.number() });
export type ImportedWorkflow = z.infer<typeof ImportedWorkflow>;
