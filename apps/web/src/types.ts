/** Shapes the server sends (see apps/server). */
export interface WorkerHealth {
  state: 'connecting' | 'connected' | 'reconnecting' | 'token_rejected' | 'unreachable' | 'stopped';
  transport: 'websocket' | 'stdio' | null;
  target: string | null;
  protocol_version: number | null;
  node_count: number;
  namespaces: string[];
  load_errors: Array<{ error: string; module?: string }>;
  last_round_trip_ms: number | null;
  attempt?: number;
  next_retry_at?: string;
  error?: string;
}

export interface NodeMetadata {
  node_type: string;
  title?: string;
  description?: string;
  properties?: Array<{ name: string; type: { type: string } }>;
  outputs?: Array<{ name: string; type: { type: string } }>;
}

export interface WorkflowSummary {
  id: string;
  name: string;
  description: string;
  node_count: number;
}

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

export interface StoredWorkflow {
  id: string;
  name: string;
  document: { graph?: { nodes: EditorNode[]; edges: EditorEdge[] }; nodes?: EditorNode[]; edges?: EditorEdge[] };
}

export type ServerMessage =
  | ({ type: 'worker_status' } & WorkerHealth)
  | { type: 'job_update'; job_id: string; workflow_id: string; status: string; error?: string; duration_ms?: number; outputs?: Record<string, unknown> }
  | { type: 'node_update'; job_id: string; node_id: string; node_type: string; status: string; error?: string; duration_ms?: number }
  | { type: 'node_progress'; job_id: string; node_id: string; progress: number; total: number }
  | { type: 'output_update'; job_id: string; node_id: string; node_name: string; output_name: string; value: unknown }
  | { type: 'log_update'; job_id: string; node_id: string; content: string; severity: string }
  | { type: 'secret_withheld'; job_id: string; node_id: string; setting: string; reason: string }
  | { type: 'job_started' | 'cancel_result' | 'subscribed' | 'unsubscribed' | 'error'; [key: string]: unknown };
