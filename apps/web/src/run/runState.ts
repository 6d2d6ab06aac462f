import { isFinalJobStatus, type JobRecord, type ModelDownloadProgress, type RunWaiting, type ServerMessage } from '@nt/api-contract';

export interface NodeRunState {
  status: string;
  progress?: number;
  total?: number;
  error?: string;
  duration_ms?: number;
  /** The worker it ran on. */
  worker?: string;
  /** What the node shows while it runs (an image model's steps), until its result comes. */
  preview?: unknown;
}

/** A sink fed by a stream, while it runs: its items so far (the last ones), or the text its chunks make. */
export type LiveOutput = { kind: 'text'; text: string; items: number } | { kind: 'items'; items: unknown[]; count: number };

/** What the UI knows about the run it started: its status, each node's state, and the outputs so far. */
export interface RunState {
  jobId: string;
  workflowId: string;
  status: 'starting' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';
  nodes: Record<string, NodeRunState>;
  outputs: Record<string, unknown>;
  /** Sinks fed by streams, by name, while the run goes; the final outputs replace them. */
  live: Record<string, LiveOutput>;
  /** Log lines the nodes wrote, in order. */
  logs: Array<{ nodeId: string; content: string; severity: string }>;
  /** Models the run downloads before its nodes start, by model. */
  downloads: Record<string, ModelDownloadProgress>;
  /** The `seq` of the last event taken in: what a reconnect resumes from, and how repeats are told apart. */
  lastSeq: number;
  /** Events lost to a dropped connection that the server no longer held when the page came back. */
  missedEvents?: number;
  error?: string;
  durationMs?: number;
  /** While it waits for a worker a scaled group brings: what for (renting, booting, …) and since when. */
  waiting?: RunWaiting;
}

/** Items of a streamed output the page holds while it runs: the last ones (the record has what the server kept). */
export const LIVE_ITEMS = 200;

export function startedRun(jobId: string, workflowId: string): RunState {
  return { jobId, workflowId, status: 'starting', nodes: {}, outputs: {}, live: {}, logs: [], downloads: {}, lastSeq: 0 };
}

/** Whether the run may still change: the page then keeps following it, across a dropped connection too. */
export function isLive(run: RunState | null): boolean {
  return run !== null && (run.status === 'starting' || !isFinalJobStatus(run.status));
}

/** Folds one server message into the run it belongs to; messages of other runs, and events it already has, leave it unchanged. */
export function applyRunMessage(run: RunState | null, message: ServerMessage): RunState | null {
  if (!run) return run;
  if (message.type !== 'error' && (!('job_id' in message) || message.job_id !== run.jobId)) return run;
  if ('seq' in message) {
    // Replayed after a reconnect, or sent twice: taken once.
    if (message.seq <= run.lastSeq) return run;
    run = { ...run, lastSeq: message.seq };
  }
  switch (message.type) {
    case 'job_update':
      return {
        ...run,
        status: message.status as RunState['status'],
        // Each stage of a wait comes with the run still queued; any other status ends the wait.
        waiting: message.status === 'queued' ? (message.waiting ?? run.waiting) : undefined,
        error: message.error,
        durationMs: message.duration_ms,
        outputs: message.outputs ? { ...run.outputs, ...message.outputs } : run.outputs,
        // The record's outputs are the whole of what the sinks received: the live view is done.
        live: message.outputs ? {} : run.live,
      };
    case 'node_update': {
      const { preview: _preview, ...before } = run.nodes[message.node_id] ?? { status: 'pending' };
      const node: NodeRunState = {
        ...before,
        status: message.status,
        error: message.error,
        duration_ms: message.duration_ms,
        ...(message.worker ? { worker: message.worker } : {}),
      };
      // A running node keeps its preview; any other status means its result (or its end) replaced it.
      if (message.status === 'running' && _preview !== undefined) node.preview = _preview;
      return { ...run, nodes: { ...run.nodes, [message.node_id]: node } };
    }
    case 'node_progress':
      return {
        ...run,
        nodes: { ...run.nodes, [message.node_id]: { ...run.nodes[message.node_id], status: 'running', progress: message.progress, total: message.total } },
      };
    case 'node_preview':
      return { ...run, nodes: { ...run.nodes, [message.node_id]: { ...run.nodes[message.node_id], status: 'running', preview: message.value } } };
    case 'output_update':
      if (message.item === undefined) return { ...run, outputs: { ...run.outputs, [message.node_name]: message.value } };
      return { ...run, live: { ...run.live, [message.node_name]: withItem(run.live[message.node_name], message.value) } };
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
      const { type: _type, job_id: _job, workflow_id: _workflow, seq: _seq, ...progress } = message;
      return { ...run, downloads: { ...run.downloads, [`${progress.repo_id}:${progress.path ?? ''}`]: progress } };
    }
    case 'job_resumed':
      // Events were lost (or none are held any more): start again from the job as it stands.
      if (!message.job) return run;
      return { ...fromRecord(run, message.job, message.last_seq), ...(message.skipped > 0 ? { missedEvents: (run.missedEvents ?? 0) + message.skipped } : {}) };
    case 'error':
      // A refused run_job (invalid graph, worker down, too many runs) answers with the run's id as request_id.
      return message.request_id === run.jobId ? { ...run, status: 'failed', error: message.error } : run;
    default:
      return run;
  }
}

/** One more item of a streamed output: text chunks grow the text, anything else joins the (last) items. */
function withItem(live: LiveOutput | undefined, value: unknown): LiveOutput {
  if (isTextChunk(value) && (live === undefined || live.kind === 'text')) {
    return { kind: 'text', text: (live?.text ?? '') + value.content, items: (live?.items ?? 0) + 1 };
  }
  const items = live?.kind === 'items' ? live.items : [];
  return { kind: 'items', items: [...items.slice(-(LIVE_ITEMS - 1)), value], count: (live?.kind === 'items' ? live.count : (live?.items ?? 0)) + 1 };
}

function isTextChunk(value: unknown): value is { type: 'chunk'; content: string } {
  if (value === null || typeof value !== 'object') return false;
  const chunk = value as { type?: unknown; content?: unknown; content_type?: unknown };
  return chunk.type === 'chunk' && typeof chunk.content === 'string' && (chunk.content_type === undefined || chunk.content_type === 'text');
}

/** The run as a job record tells it: where a reconnect that lost events starts again from. */
function fromRecord(run: RunState, job: JobRecord, lastSeq: number): RunState {
  const nodes: Record<string, NodeRunState> = {};
  for (const [id, record] of Object.entries(job.result?.nodes ?? {})) {
    nodes[id] = {
      status: record.status,
      ...(record.error ? { error: record.error } : {}),
      ...(record.duration_ms !== undefined ? { duration_ms: record.duration_ms } : {}),
    };
  }
  for (const [id, live] of Object.entries(job.nodes ?? {})) nodes[id] = { ...nodes[id], ...live };
  return {
    ...run,
    status: job.status as RunState['status'],
    nodes,
    outputs: job.result?.outputs ?? run.outputs,
    live: job.result ? {} : run.live,
    lastSeq: Math.max(run.lastSeq, lastSeq),
    ...(job.error ? { error: job.error } : {}),
    ...(job.result ? { durationMs: job.result.duration_ms } : {}),
    waiting: job.waiting,
  };
}
