import { readSetting, readSettingIfSet } from '@nt/settings';
import type { JobRecord } from '@nt/api-contract';
import type { PythonBridgeOptions } from '@nt/bridge';
import { connectPythonBridgeForGraph, runWorkflow, type RunEvent, type RunResult } from '@nt/runtime';
import { checkSmokeResult, type SmokeCheck } from './checkSmokeResult.js';
import { loadSmokeWorkflow } from './smokeWorkflow.js';

export interface SmokeReport {
  target: string;
  result: RunResult;
  check: SmokeCheck;
  /** Milliseconds each node ran, by node id. */
  nodeTimings: Record<string, number>;
  /** Connecting to (or starting) the worker, including discover and worker.status. */
  connectMs: number;
  totalMs: number;
}

/**
 * Runs the smoke workflow. With `serverUrl` (or NODETOOL_SERVER_URL) through a
 * running server's POST /api/run; otherwise through the runtime, against
 * NODETOOL_WORKER_URL when set (or `bridgeOptions.wsUrl`), else a local worker
 * it starts and stops.
 */
export async function runSmoke(
  options: { bridgeOptions?: PythonBridgeOptions; serverUrl?: string; onEvent?(event: RunEvent): void } = {},
): Promise<SmokeReport> {
  const serverUrl = options.serverUrl ?? readSettingIfSet(process.env, 'NODETOOL_SERVER_URL');
  if (serverUrl) return runSmokeOnServer(serverUrl);
  const started = performance.now();
  const workflow = await loadSmokeWorkflow();
  const bridge = await connectPythonBridgeForGraph(workflow.graph, options.bridgeOptions);
  const connectMs = Math.round(performance.now() - started);
  let result: RunResult;
  try {
    result = await runWorkflow(workflow, { bridge, onEvent: options.onEvent });
  } finally {
    await bridge?.close();
  }
  const url = options.bridgeOptions?.wsUrl ?? readSetting(process.env, 'NODETOOL_WORKER_URL')[0];
  return {
    target: url ? url.replace(/\/\/[^@/]*@/, '//') : 'local stdio worker',
    result,
    check: checkSmokeResult(result.outputs),
    nodeTimings: timingsOf(result),
    connectMs,
    totalMs: Math.round(performance.now() - started),
  };
}

async function runSmokeOnServer(serverUrl: string): Promise<SmokeReport> {
  const started = performance.now();
  const workflow = await loadSmokeWorkflow();
  const response = await fetch(new URL('/api/run', serverUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ graph: { id: workflow.id, name: workflow.name, graph: workflow.graph }, wait: true }),
  });
  const job = (await response.json()) as Partial<JobRecord> & { error?: string };
  if (!response.ok) throw new Error(`the server at ${serverUrl} answered ${response.status}: ${job.error ?? 'no message'}`);
  const status = job.status === 'completed' || job.status === 'cancelled' ? job.status : 'failed';
  const result: RunResult = {
    job_id: job.id ?? '',
    workflow_id: workflow.id,
    status,
    outputs: job.result?.outputs ?? {},
    nodes: job.result?.nodes ?? {},
    duration_ms: job.result?.duration_ms ?? 0,
    ...(job.error ? { error: job.error } : {}),
  };
  return {
    target: `server ${serverUrl}`,
    result,
    check: checkSmokeResult(result.outputs),
    nodeTimings: timingsOf(result),
    connectMs: 0,
    totalMs: Math.round(performance.now() - started),
  };
}

function timingsOf(result: RunResult): Record<string, number> {
  const timings: Record<string, number> = {};
  for (const [id, record] of Object.entries(result.nodes)) if (record.duration_ms !== undefined) timings[id] = record.duration_ms;
  return timings;
}

/** A few lines a person can read at a glance. */
export function formatSmokeSummary(report: SmokeReport): string {
  const lines = [`HF worker smoke against ${report.target}: ${report.check.ok && report.result.status === 'completed' ? 'PASS' : 'FAIL'}`];
  for (const [name, embedding] of Object.entries(report.check.embeddings)) {
    lines.push(
      `  ${name}: ${embedding.dimension} dimensions, norm ${embedding.norm.toFixed(4)}, starts [${embedding.head.map((x) => x.toFixed(4)).join(', ')}]`,
    );
  }
  if (report.check.similarity !== null) lines.push(`  similarity: ${report.check.similarity.toFixed(4)}`);
  const timings = Object.entries(report.nodeTimings)
    .map(([id, ms]) => `${id} ${ms} ms`)
    .join(', ');
  lines.push(`  timings: total ${report.totalMs} ms = worker connect ${report.connectMs} ms + run ${report.result.duration_ms} ms (${timings})`);
  if (report.result.error) lines.push(`  error: ${report.result.error}`);
  for (const failure of report.check.failures) lines.push(`  ✗ ${failure}`);
  return lines.join('\n');
}
