import type { ServerMessage } from './types.js';

export interface NodeRunState {
  status: string;
  progress?: number;
  total?: number;
  error?: string;
  duration_ms?: number;
}

/** What the UI knows about the run it started: its status, each node's state, and the outputs so far. */
export interface RunState {
  jobId: string;
  workflowId: string;
  status: 'starting' | 'running' | 'completed' | 'failed' | 'cancelled';
  nodes: Record<string, NodeRunState>;
  outputs: Record<string, unknown>;
  /** Log lines the nodes wrote, in order. */
  logs: Array<{ nodeId: string; content: string; severity: string }>;
  error?: string;
  durationMs?: number;
}

export function startedRun(jobId: string, workflowId: string): RunState {
  return { jobId, workflowId, status: 'starting', nodes: {}, outputs: {}, logs: [] };
}

/** Folds one server message into the run it belongs to; messages of other runs leave it unchanged. */
export function applyRunMessage(run: RunState | null, message: ServerMessage): RunState | null {
  if (!run || !('job_id' in message) || message.job_id !== run.jobId) return run;
  switch (message.type) {
    case 'job_update':
      return {
        ...run,
        status: message.status as RunState['status'],
        error: message.error,
        durationMs: message.duration_ms,
        outputs: message.outputs ? { ...run.outputs, ...message.outputs } : run.outputs,
      };
    case 'node_update':
      return { ...run, nodes: { ...run.nodes, [message.node_id]: { ...run.nodes[message.node_id], status: message.status, error: message.error, duration_ms: message.duration_ms } } };
    case 'node_progress':
      return { ...run, nodes: { ...run.nodes, [message.node_id]: { ...run.nodes[message.node_id], status: 'running', progress: message.progress, total: message.total } } };
    case 'output_update':
      return { ...run, outputs: { ...run.outputs, [message.node_name]: message.value } };
    case 'log_update':
      return { ...run, logs: [...run.logs, { nodeId: message.node_id, content: message.content, severity: message.severity }] };
    default:
      return run;
  }
}
