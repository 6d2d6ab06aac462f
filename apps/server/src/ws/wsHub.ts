import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { loadWorkflow, toJsonValue, type Workflow } from '@nt/runtime';
import type { App } from '../app.js';
import { toHttpError } from '../http/httpError.js';

/**
 * /ws: clients send `{command, data, request_id?}` as JSON text (`run_job`,
 * `cancel_job`); every client receives every run event (`job_update`,
 * `node_update`, `node_progress`, `output_update`) and `worker_status`
 * whenever the worker's state changes, so several windows can watch one run.
 */
export class WsHub {
  private readonly wss: WebSocketServer;

  constructor(private readonly app: App) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: app.config.maxBodyBytes });
    app.runs.on('event', (event) => {
      if (this.wss.clients.size > 0) this.broadcast(toJsonValue(event) as object);
    });
    app.worker.on('status', (health) => this.broadcast({ type: 'worker_status', ...health }));
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (client) => {
      client.on('message', (data, isBinary) => void this.onMessage(client, isBinary ? null : data.toString()));
      client.on('error', () => client.terminate());
      send(client, { type: 'worker_status', ...this.app.worker.status() });
    });
  }

  close(): void {
    for (const client of this.wss.clients) client.close(1001, 'server shutting down');
    this.wss.close();
  }

  private async onMessage(client: WebSocket, text: string | null): Promise<void> {
    let message: { command?: unknown; data?: Record<string, unknown>; request_id?: unknown };
    try {
      if (text === null) throw new Error('messages must be JSON text');
      message = JSON.parse(text);
    } catch (error) {
      send(client, { type: 'error', error: `invalid message: ${(error as Error).message}` });
      return;
    }
    const requestId = typeof message.request_id === 'string' ? message.request_id : undefined;
    const data = message.data && typeof message.data === 'object' ? message.data : {};
    try {
      switch (message.command) {
        case 'run_job': {
          const { jobId } = this.app.runs.start(this.workflowFor(data), (data['params'] as Record<string, unknown>) ?? {}, data['job_id'] as string | undefined);
          send(client, { type: 'job_started', job_id: jobId, request_id: requestId });
          return;
        }
        case 'cancel_job': {
          const jobId = String(data['job_id'] ?? '');
          send(client, { type: 'cancel_result', job_id: jobId, cancelled: this.app.runs.cancel(jobId), request_id: requestId });
          return;
        }
        default:
          send(client, { type: 'error', error: `unknown command ${JSON.stringify(message.command)}; expected run_job or cancel_job`, request_id: requestId });
      }
    } catch (error) {
      const failure = toHttpError(error);
      send(client, { type: 'error', status: failure.status, error: failure.status === 500 ? (error as Error).message : failure.message, request_id: requestId });
    }
  }

  private workflowFor(data: Record<string, unknown>): Workflow {
    if (typeof data['workflow_id'] === 'string' && !data['graph']) {
      const stored = this.app.workflows.get(data['workflow_id']);
      if (!stored) throw new RangeError(`no workflow with id "${data['workflow_id']}"`);
      return loadWorkflow(stored.document, `workflow ${stored.id}`);
    }
    const workflow = loadWorkflow(data['graph'] ?? data['workflow'], 'graph');
    return typeof data['workflow_id'] === 'string' ? { ...workflow, id: data['workflow_id'] } : workflow;
  }

  private broadcast(message: object): void {
    const text = JSON.stringify(message);
    for (const client of this.wss.clients) if (client.readyState === client.OPEN) client.send(text);
  }
}

function send(client: WebSocket, message: object): void {
  if (client.readyState === client.OPEN) client.send(JSON.stringify(message));
}
