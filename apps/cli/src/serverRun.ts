import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import WebSocket from 'ws';
import { isAssetRef, isFinalJobStatus, newJobId, type RunWaiting, type ServerMessage } from '@nt/api-contract';
import type { RunEvent, RunResult, Workflow } from '@nt/runtime';
import { EXIT } from './exitCodes.js';
import { fileBase, nameByContent, type OutputFile } from './outputFiles.js';
import { ServerCallError, serverApi } from './serverClient.js';

export interface ServerRunOptions {
  server: string | undefined;
  params: Record<string, unknown>;
  /** --keep-alive as given (the server reads the same syntax). */
  keepAlive?: string;
  downloadMissing: boolean;
  signal: AbortSignal;
  onEvent(event: RunEvent): void;
  /** Where the run's asset results are downloaded to (streamed), or nowhere. */
  outputDir?: string;
  /** --group: the worker group the run goes to (a scaled group rents a worker for it when none is connected). */
  group?: string;
  /** The run waits for a worker a scaled group brings: what it waits for, each time that changes. */
  onWaiting?(waiting: RunWaiting): void;
}

/**
 * Runs a workflow on a server (--server or NODETOOL_SERVER_URL) instead of in this process: over its
 * WebSocket, with the same events a local run prints, then its record; with --output-dir its asset
 * results are downloaded into files, streamed, and the result refers to the files.
 */
/** A run's outcome on a server: a local run's, plus `interrupted` (the server stopped during it). */
export type ServerRunResult = Omit<RunResult, 'status'> & { status: RunResult['status'] | 'interrupted' };

export async function runOnServer(workflow: Workflow, options: ServerRunOptions): Promise<ServerRunResult> {
  const { baseUrl, api, token } = serverApi(options.server);
  const jobId = newJobId('cli');
  await followRun(`${baseUrl.replace(/^http/, 'ws')}/ws`, token, jobId, workflow, options);
  const { body: job } = await api.jobs.get({ params: { id: jobId } });
  const outputs = job.result?.outputs ?? {};
  if (options.outputDir) {
    for (const [name, value] of Object.entries(outputs)) {
      if (isAssetRef(value)) outputs[name] = await download(baseUrl, token, value.url, options.outputDir, fileBase('output', name), value.id);
    }
  }
  return {
    job_id: jobId,
    workflow_id: job.workflow_id ?? workflow.id,
    status: job.status === 'completed' || job.status === 'cancelled' || job.status === 'interrupted' ? job.status : 'failed',
    outputs,
    nodes: job.result?.nodes ?? {},
    ...(job.error ? { error: job.error } : {}),
    duration_ms: job.result?.duration_ms ?? 0,
  };
}

/** Starts the run over /ws and relays its events until it ends. */
function followRun(url: string, token: string | null, jobId: string, workflow: Workflow, options: ServerRunOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const fail = (error: Error) => {
      socket.terminate();
      reject(error);
    };
    const onAbort = () => {
      socket.send(JSON.stringify({ command: 'cancel_job', data: { job_id: jobId } }));
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    socket.on('unexpected-response', (_request, response) =>
      fail(
        response.statusCode === 401
          ? new ServerCallError(EXIT.tokenRejected, `the server at ${url} needs its token: set NODETOOL_SERVER_TOKEN or NODETOOL_SERVER_TOKEN_FILE`)
          : new ServerCallError(EXIT.failed, `the server's WebSocket answered ${response.statusCode}`),
      ),
    );
    socket.on('error', (error) => fail(new ServerCallError(EXIT.unreachable, `cannot reach the server's WebSocket at ${url} (${error.message})`)));
    socket.on('open', () =>
      socket.send(
        JSON.stringify({
          command: 'run_job',
          request_id: jobId,
          data: {
            graph: workflow.graph,
            workflow_id: workflow.id,
            params: { ...workflow.params, ...options.params },
            job_id: jobId,
            download_missing: options.downloadMissing,
            ...(options.keepAlive === undefined ? {} : { keep_alive: options.keepAlive }),
            ...(options.group === undefined ? {} : { group: options.group }),
          },
        }),
      ),
    );
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (message.type === 'error' && message.request_id === jobId) return fail(new ServerCallError(EXIT.usage, message.error));
      if (!('job_id' in message) || message.job_id !== jobId || message.type === 'job_started' || message.type === 'subscribed') return;
      if (message.type === 'job_update' && message.status === 'queued' && message.waiting) options.onWaiting?.(message.waiting);
      options.onEvent(message as RunEvent);
      if (message.type === 'job_update' && isFinalJobStatus(message.status)) {
        options.signal.removeEventListener('abort', onAbort);
        socket.close();
        resolve();
      }
    });
  });
}

/** An asset streamed to `<dir>/<base>.<ext>`: never held whole, named by what its bytes are. */
async function download(baseUrl: string, token: string | null, url: string, dir: string, base: string, sha256: string): Promise<OutputFile> {
  await mkdir(dir, { recursive: true });
  const response = await fetch(`${baseUrl}${url}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok || !response.body) throw new ServerCallError(EXIT.failed, `downloading ${url} failed: HTTP ${response.status}`);
  const partial = join(dir, `.${base}.part`);
  await pipeline(Readable.fromWeb(response.body as never), createWriteStream(partial));
  const size = Number(response.headers.get('content-length') ?? 0);
  return { type: 'file', ...(await nameByContent(dir, partial, base)), size, sha256 };
}
