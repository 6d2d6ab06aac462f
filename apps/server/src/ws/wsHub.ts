import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { RunRequest, type ServerMessage, type ServerRunEvent } from '@nt/api-contract';
import { toJsonValue } from '@nt/runtime';
import type { App } from '../app.js';
import { InvalidRequestError, JobNotFoundError } from '../errors.js';
import { toHttpError } from '../http/httpError.js';
import { readRunRequest } from '../runs/runRequest.js';

/**
 * /ws: clients send `{command, data, request_id?}` as JSON text: `run_job` (which also subscribes the
 * sender to that run), `subscribe` / `unsubscribe` (a run started elsewhere, by its job_id), and
 * `cancel_job`. A client receives the events of the runs it subscribed to, and nobody else's, plus
 * `worker_status` whenever the worker's state changes, and `models_download` / `models_resident` as the
 * worker's models are downloaded, loaded and released. A client that stops reading is dropped once
 * more than NODETOOL_WS_MAX_BUFFERED_BYTES wait for it, so it cannot grow the server's memory. The
 * upgrade itself (Host, Origin, token) was checked by the HTTP side's security hook.
 */
export class WsHub {
  /** job_id → the clients watching it. */
  private readonly watchers = new Map<string, Set<WebSocket>>();
  /** Every client → the jobs it watches, to forget them when it goes. */
  private readonly watching = new Map<WebSocket, Set<string>>();

  constructor(
    private readonly app: App,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    app.runs.on('event', (event: ServerRunEvent) => this.deliver(event));
    app.workers.on('status', () => this.broadcast(this.workerStatus()));
    // The worker's models concern every client (one server, one worker, one set of users).
    app.workers.on('download', (progress) => this.broadcast({ type: 'models_download', ...progress }));
    app.workers.on('resident', (resident) => this.broadcast({ type: 'models_resident', resident }));
    // Rented workers cost money: every client sees what they do and what the guard did to them.
    app.rented.on('worker', (worker) => this.broadcast({ type: 'rented_worker', worker }));
    app.rented.on('guard', (event) => this.broadcast({ type: 'cost_guard', event }));
  }

  /** A client whose upgrade the security hook let through. */
  accept(client: WebSocket): void {
    this.watching.set(client, new Set());
    client.on('message', (data, isBinary) => void this.onMessage(client, isBinary ? null : data.toString()));
    client.on('error', () => client.terminate());
    client.on('close', () => this.forget(client));
    this.send(client, JSON.stringify(this.workerStatus()));
  }

  close(): void {
    for (const client of this.watching.keys()) client.close(1001, 'server shutting down');
  }

  private async onMessage(client: WebSocket, text: string | null): Promise<void> {
    let message: { command?: unknown; data?: Record<string, unknown>; request_id?: unknown };
    try {
      if (text === null) throw new Error('messages must be JSON text');
      message = JSON.parse(text);
      if (message === null || typeof message !== 'object' || Array.isArray(message)) throw new Error('a message must be a JSON object');
    } catch (error) {
      this.reply(client, { type: 'error', error: `invalid message: ${(error as Error).message}` });
      return;
    }
    const requestId = typeof message.request_id === 'string' ? message.request_id : undefined;
    const data = message.data && typeof message.data === 'object' ? message.data : {};
    try {
      switch (message.command) {
        case 'run_job': {
          const run = readRunRequest(this.app, runRequestOf(data));
          const jobId = run.jobId ?? `job-${randomUUID()}`;
          // Watching starts before the run does: its first events go out while start() runs.
          this.watch(client, jobId);
          try {
            this.app.runs.start(run.workflow, run.params, jobId, run.models);
          } catch (error) {
            this.unwatch(client, jobId);
            throw error;
          }
          this.reply(client, { type: 'job_started', job_id: jobId, request_id: requestId });
          return;
        }
        case 'subscribe': {
          const jobId = this.jobIdOf(data);
          const job = this.app.runs.get(jobId);
          if (!job) throw new JobNotFoundError(jobId);
          this.watch(client, jobId);
          // The state so far, so a late subscriber (or a reloaded page) is not left guessing.
          this.reply(client, { type: 'subscribed', job_id: jobId, job: toJsonValue(job), request_id: requestId });
          return;
        }
        case 'unsubscribe': {
          const jobId = this.jobIdOf(data);
          this.unwatch(client, jobId);
          this.reply(client, { type: 'unsubscribed', job_id: jobId, request_id: requestId });
          return;
        }
        case 'cancel_job': {
          const jobId = this.jobIdOf(data);
          this.reply(client, { type: 'cancel_result', job_id: jobId, cancelled: this.app.runs.cancel(jobId), request_id: requestId });
          return;
        }
        default:
          this.reply(client, {
            type: 'error',
            error: `unknown command ${JSON.stringify(message.command)}; expected run_job, subscribe, unsubscribe or cancel_job`,
            request_id: requestId,
          });
      }
    } catch (error) {
      const failure = toHttpError(error);
      this.reply(client, { type: 'error', status: failure.status, error: failure.message, request_id: requestId });
    }
  }

  private jobIdOf(data: Record<string, unknown>): string {
    const jobId = data['job_id'];
    if (typeof jobId !== 'string' || !jobId) throw new InvalidRequestError('"job_id" must be a non-empty string');
    return jobId;
  }

  private deliver(event: ServerRunEvent): void {
    const clients = this.watchers.get(event.job_id);
    if (!clients || clients.size === 0) return;
    // Converted once for all its watchers, and only when someone watches.
    const text = JSON.stringify(toJsonValue(event));
    for (const client of clients) this.send(client, text);
    // Watching ends with the run's outcome, not with `queued` (a queued run's events are still to come).
    if (event.type === 'job_update' && (event.status === 'completed' || event.status === 'failed' || event.status === 'cancelled')) {
      for (const client of clients) this.watching.get(client)?.delete(event.job_id);
      this.watchers.delete(event.job_id);
    }
  }

  private watch(client: WebSocket, jobId: string): void {
    let clients = this.watchers.get(jobId);
    if (!clients) this.watchers.set(jobId, (clients = new Set()));
    clients.add(client);
    this.watching.get(client)?.add(jobId);
  }

  private unwatch(client: WebSocket, jobId: string): void {
    this.watchers.get(jobId)?.delete(client);
    if (this.watchers.get(jobId)?.size === 0) this.watchers.delete(jobId);
    this.watching.get(client)?.delete(jobId);
  }

  private forget(client: WebSocket): void {
    for (const jobId of this.watching.get(client) ?? []) this.unwatch(client, jobId);
    this.watching.delete(client);
  }

  /** The pool at a glance, with every worker. */
  private workerStatus(): ServerMessage {
    const { worker, pool } = this.app.workers.status();
    return { type: 'worker_status', ...worker, pool };
  }

  private broadcast(message: ServerMessage): void {
    const text = JSON.stringify(message);
    for (const client of this.watching.keys()) this.send(client, text);
  }

  private reply(client: WebSocket, message: object): void {
    this.send(client, JSON.stringify(message));
  }

  private send(client: WebSocket, text: string): void {
    if (client.readyState !== client.OPEN) return;
    // What already waits decides, not this message: a client that keeps up may receive one large result.
    if (client.bufferedAmount > this.app.config.wsMaxBufferedBytes) {
      this.log(`dropped a WebSocket client that stopped reading (${client.bufferedAmount} bytes were waiting for it)`);
      this.forget(client);
      client.terminate();
      return;
    }
    client.send(text);
  }
}

/** run_job's data, checked by the same schema as an HTTP run's body. */
function runRequestOf(data: Record<string, unknown>): RunRequest {
  const parsed = RunRequest.safeParse(data);
  if (!parsed.success) throw new InvalidRequestError(parsed.error.issues.map((issue) => issue.message).join('; '));
  return parsed.data;
}
