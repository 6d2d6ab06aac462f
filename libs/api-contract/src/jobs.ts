import type { NodeStatus, ServerJobStatus } from './runEvents.js';

/** A graph as stored and sent: nodes with their values, edges between handles. */
export interface GraphDocument {
  nodes: Array<{ id: string; type: string; data: Record<string, unknown> }>;
  edges: Array<{ id?: string; source: string; sourceHandle: string; target: string; targetHandle: string }>;
}

/** One node's part of a finished run. */
export interface NodeRunRecord {
  type: string;
  status: NodeStatus | 'pending';
  error?: string;
  duration_ms?: number;
  outputs?: Record<string, unknown>;
  /** The worker that ran it (its URL without credentials, or `stdio:<python>`), for Python nodes. */
  worker?: string;
}

/** What a run left: JSON-safe outputs (by sink name), per-node records, its duration. */
export interface JobResult {
  outputs: Record<string, unknown>;
  nodes: Record<string, NodeRunRecord>;
  duration_ms: number;
}

/** A job as /api/jobs/:id answers it; `nodes` holds live per-node states while it runs. */
export interface JobRecord {
  id: string;
  workflow_id: string | null;
  status: ServerJobStatus;
  graph: GraphDocument;
  params: Record<string, unknown>;
  result: JobResult | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  nodes?: Record<string, { status: string; progress?: number; total?: number }>;
}

/** The job list leaves the graph out. */
export type JobSummary = Omit<JobRecord, 'graph'>;
