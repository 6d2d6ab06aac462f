import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { App } from './app.js';
import type { ServerConfig } from './config.js';
import { toHttpError } from './http/httpError.js';
import { Router } from './http/router.js';
import { serveStatic } from './http/staticFiles.js';
import { JobManager } from './jobs/jobManager.js';
import { addHealthRoutes } from './routes/healthRoutes.js';
import { addJobRoutes } from './routes/jobRoutes.js';
import { addNodeRoutes } from './routes/nodeRoutes.js';
import { addWorkflowRoutes } from './routes/workflowRoutes.js';
import { openDatabase } from './store/database.js';
import { JobStore } from './store/jobStore.js';
import { WorkflowStore } from './store/workflowStore.js';
import { WorkerSupervisor } from './worker/workerSupervisor.js';
import { WsHub } from './ws/wsHub.js';

export interface RunningServer {
  url: string;
  app: App;
  close(): Promise<void>;
}

/**
 * Opens the database, starts the worker supervisor (the server runs whether or
 * not the worker is up) and listens. Resolves once listening.
 */
export async function startServer(config: ServerConfig, log: (line: string) => void = () => undefined): Promise<RunningServer> {
  const db = openDatabase(config.dbPath);
  const jobs = new JobStore(db);
  const interrupted = jobs.failInterrupted();
  if (interrupted) log(`marked ${interrupted} run(s) left over from a previous process as failed`);
  const worker = new WorkerSupervisor(config.bridgeOptions, config.workerRetry);
  const app: App = { config, workflows: new WorkflowStore(db), jobs, runs: new JobManager(jobs, worker), worker, startedAt: Date.now() };

  const router = new Router();
  addHealthRoutes(router, app);
  addNodeRoutes(router, app);
  addWorkflowRoutes(router, app);
  addJobRoutes(router, app);
  const hub = new WsHub(app);

  const server = createHttpServer((request, response) => void handle(app, router, request, response));
  server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://x').pathname === '/ws') hub.handleUpgrade(request, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as { port: number };
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${address.port}`;

  worker.on('status', (health) => log(`worker ${health.state}${health.target ? ` (${health.target})` : ''}${health.error ? `: ${health.error}` : ''}`));
  void worker.start().then(() => {
    const health = worker.status();
    if (health.state === 'connected') {
      log(`worker ready: ${health.target}, protocol ${health.protocol_version}, ${health.node_count} nodes, namespaces ${health.namespaces.join(', ') || '(none)'}, ${health.load_errors.length} load errors, round trip ${health.last_round_trip_ms} ms`);
    }
  });

  return {
    url,
    app,
    async close() {
      await app.runs.cancelAll();
      hub.close();
      await worker.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      db.close();
    },
  };
}

async function handle(app: App, router: Router, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  try {
    const route = router.match(request.method ?? 'GET', url.pathname);
    if (route === 405) return json(response, 405, { error: `${request.method} is not allowed on ${url.pathname}` });
    if (route) {
      const result = await route.handler({ request, response, params: route.params, query: url.searchParams });
      if (result) json(response, result.status, result.body);
      return;
    }
    if (request.method === 'GET' && app.config.webRoot && !url.pathname.startsWith('/api/')) {
      if (await serveStatic(app.config.webRoot, url.pathname, response)) return;
    }
    json(response, 404, { error: `nothing at ${url.pathname}` });
  } catch (error) {
    const failure = toHttpError(error);
    if (failure.status === 500) console.error(error);
    json(response, failure.status, { error: failure.message, ...(failure.details ? { details: failure.details } : {}) });
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  if (body === undefined) {
    response.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
