import type { ModelDownloadProgress, ServerMessage } from '@nt/api-contract';

export interface NodeRunState {
  status: string;
  progress?: number;
  total?: number;
  error?: string;
  duration_ms?: number;
  /** The worker it ran on. */
  worker?: string;
}

/** What the UI knows about the run it started: its status, each node's state, and the outputs so far. */
export interface RunState {
  jobId: string;
  workflowId: string;
  status: 'starting' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';
  nodes: Record<string, NodeRunState>;
  outputs: Record<string, unknown>;
  /** Log lines the nodes wrote, in order. */
  logs: Array<{ nodeId: string; content: string; severity: string }>;
  /** Models the run downloads before its nodes start, by model. */
  downloads: Record<string, ModelDownloadProgress>;
  error?: string;
  durationMs?: number;
}

export function startedRun(jobId: string, workflowId: string): RunState {
  return { jobId, workflowId, status: 'starting', nodes: {}, outputs: {}, logs: [], downloads: {} };
}

/** Folds one server message into the run it belongs to; messages of other runs leave it unchanged. */
export function applyRunMessage(run: RunState | null, message: ServerMessage): RunState | null {
  if (!run) return run;
  if (message.type !== 'error' && (!('job_id' in message) || message.job_id !== run.jobId)) return run;
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
      return {
        ...run,
        nodes: {
          ...run.nodes,
          [message.node_id]: {
            ...run.nodes[message.node_id],
            status: message.status,
            error: message.error,
            duration_ms: message.duration_ms,
            ...(message.worker ? { worker: message.worker } : {}),
          },
        },
      };
    case 'node_progress':
      return {
        ...run,
        nodes: { ...run.nodes, [message.node_id]: { ...run.nodes[message.node_id], status: 'running', progress: message.progress, total: message.total } },
      };
    case 'output_update':
      return { ...run, outputs: { ...run.outputs, [message.node_name]: message.value } };
    case 'log_update':
      return { ...run, logs: [...run.logs, { nodeId: message.node_id, content: message.content, severity: message.severity }] };
    case 'secret_withheld':
      return {
        ...run,
        logs: [
          ...run.logs,
          { nodeId: message.node_id, content: `setting ${message.setting} was not sent to the worker: ${message.reason}`, severity: 'warning' },
        ],
      };
    case 'model_download': {
      const { type: _type, job_id: _job, workflow_id: _workflow, ...progress } = message;
      return { ...run, downloads: { ...run.downloads, [`${progress.repo_id}:${progress.path ?? ''}`]: progress } };
    }
    case 'error':
      // A refused run_job (invalid graph, worker down, too many runs) answers with the run's id as request_id.
      return message.request_id === run.jobId ? { ...run, status: 'failed', error: message.error } : run;
    default:
      return run;
  }
}
