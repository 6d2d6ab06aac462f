import { mkdtempSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { App } from './app.js';
import type { ServerConfig } from './config.js';
import { HttpError, toHttpError } from './http/httpError.js';
import { Router } from './http/router.js';
import { answerPreflight, setCorsHeaders, setSecurityHeaders } from './http/securityHeaders.js';
import { serveStatic } from './http/staticFiles.js';
import { JobManager } from './jobs/jobManager.js';
import { PoolModels } from './models/poolModels.js';
import { addAuthRoutes, isHttps } from './routes/authRoutes.js';
import { addHealthRoutes } from './routes/healthRoutes.js';
import { addJobRoutes } from './routes/jobRoutes.js';
import { addModelRoutes } from './routes/modelRoutes.js';
import { addNodeRoutes } from './routes/nodeRoutes.js';
import { addWorkflowRoutes } from './routes/workflowRoutes.js';
import { createHostPolicy } from './security/hostPolicy.js';
import { refuseRequest, refuseUpgrade } from './security/requestGuard.js';
import { ServerToken } from './security/serverToken.js';
import { openDatabase } from './store/database.js';
import { JobStore } from './store/jobStore.js';
import { WorkflowStore } from './store/workflowStore.js';
import { WorkerPool } from './workers/workerPool.js';
import { CostGuardLoop } from './rented/costGuardLoop.js';
import { RentedStore } from './rented/rentedStore.js';
import { RentedWorkers } from './rented/rentedWorkers.js';
import { addRentedRoutes } from './routes/rentedRoutes.js';
import { WsHub } from './ws/wsHub.js';

export interface RunningServer {
  url: string;
  app: App;
  /** Stops taking work, cancels runs in flight, waits for them up to the shutdown timeout, then closes. */
  close(): Promise<void>;
}

/**
 * Opens the database, starts the pool of workers (the server runs whether or
 * not any worker is up) and listens. Resolves once listening.
 */
export async function startServer(config: ServerConfig, log: (line: string) => void = () => undefined): Promise<RunningServer> {
  const db = openDatabase(config.dbPath);
  const jobs = new JobStore(db);
  const interrupted = jobs.failInterrupted();
  if (interrupted) log(`marked ${interrupted} run(s) left over from a previous process as failed`);
  const workers = new WorkerPool(config.workerPool, config.bridgeOptions, {
    retry: config.workerRetry,
    defaultKeepAliveMs: config.modelKeepAliveMs,
    secretPolicy: config.secretPolicy,
    localWorker: config.localWorker,
    log,
  });
  const models = new PoolModels(workers, config.modelKeepAliveMs);
  const rented = new RentedWorkers(new RentedStore(db), workers, {
    env: config.renting.env,
    // Next to the database (a throwaway one: a temporary directory), readable by this user only.
    tokenDir: config.dbPath === ':memory:' ? mkdtempSync(join(tmpdir(), 'nt-rented-')) : join(dirname(config.dbPath), 'rented-workers'),
    bootTimeoutMs: config.renting.bootTimeoutMs,
    maxInstances: config.renting.maxInstances,
    log,
  });
  const guard = new CostGuardLoop(rented, workers, {
    env: config.renting.env,
    intervalMs: config.renting.guardIntervalMs,
    reconcileIntervalMs: config.renting.reconcileIntervalMs,
    orphans: config.renting.orphans,
    queuedRuns: () => app.runs.queuedCount,
    log,
  });
  const app: App = {
    config,
    workflows: new WorkflowStore(db),
    jobs,
    runs: new JobManager(jobs, workers, {
      maxConcurrentRuns: config.maxConcurrentRuns,
      maxQueuedRuns: config.maxQueuedRuns,
      secretPolicy: config.secretPolicy,
      defaultKeepAliveMs: config.modelKeepAliveMs,
      workerWaitMs: config.workerWaitMs,
      wakeWorkers: () => guard.wakeForRun(),
      onRunStarted: (workerId) => {
        try {
          rented.touch(workerId);
        } catch (error) {
          // The idle clock is the guard's business; a run never fails for it.
          log(`cost guard: could not note the run on ${workerId}: ${(error as Error).message}`);
        }
      },
      log,
    }),
    workers,
    models,
    rented,
    guard,
    startedAt: Date.now(),
    hostPolicy: createHostPolicy(config.host, config.allowedHosts, config.allowedOrigins),
    serverToken: config.serverToken ? new ServerToken(config.serverToken) : null,
  };

  const router = new Router();
  addHealthRoutes(router, app);
  addAuthRoutes(router, app);
  addNodeRoutes(router, app);
  addWorkflowRoutes(router, app);
  addJobRoutes(router, app);
  addModelRoutes(router, app);
  addRentedRoutes(router, app);
  const hub = new WsHub(app, log);

  const server = createHttpServer((request, response) => void handle(app, router, request, response));
  // Longer than clients keep an idle connection (undici: 4 s, browsers: about 60 s), so the client is the
  // one that closes it: a server closing first races a client reusing it, and the request is reset.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('upgrade', (request, socket, head) => upgrade(app, hub, request, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as { port: number };
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${address.port}`;

  const announced = new Map<string, string>();
  workers.on('status', (pool) => {
    for (const health of pool.workers) {
      const line = `worker ${health.id} ${health.state}${health.error ? `: ${health.error}` : ''}`;
      if (announced.get(health.id as string) === line) continue;
      announced.set(health.id as string, line);
      log(
        health.state === 'connected'
          ? `worker ${health.id} ready: protocol ${health.protocol_version}, ${health.node_count} nodes, namespaces ${health.namespaces.join(', ') || '(none)'}, ${health.load_errors.length} load errors, round trip ${health.last_round_trip_ms} ms`
          : line,
      );
    }
  });
  void workers
    .start()
    .then(() => rented.resume())
    .catch((error: Error) => log(`the workers could not start: ${error.message}`));
  guard.start();

  let closing: Promise<void> | null = null;
  return {
    url,
    app,
    close() {
      closing ??= (async () => {
        server.close();
        const unfinished = await app.runs.shutdown(config.shutdownTimeoutMs);
        if (unfinished) log(`${unfinished} run(s) did not finish within ${config.shutdownTimeoutMs} ms and were marked failed`);
        guard.stop();
        rented.shutdown();
        hub.close();
        // Each worker releases what its keep-alive holds, or it would keep it until its job TTL.
        await workers.stop();
        server.closeAllConnections();
        db.close();
      })();
      return closing;
    },
  };
}

function upgrade(app: App, hub: WsHub, request: IncomingMessage, socket: Duplex, head: Buffer): void {
  const refusal =
    new URL(request.url ?? '/', 'http://x').pathname !== '/ws'
      ? new HttpError(404, 'nothing at that path')
      : (refuseUpgrade(request, app.hostPolicy) ??
        (app.serverToken && !app.serverToken.authenticates(request) ? new HttpError(401, 'authentication required') : null));
  if (!refusal) {
    hub.handleUpgrade(request, socket, head);
    return;
  }
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 421: 'Misdirected Request' }[refusal.status] ?? 'Bad Request';
  socket.end(`HTTP/1.1 ${refusal.status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${refusal.message}\n`);
}

async function handle(app: App, router: Router, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  setSecurityHeaders(response);
  try {
    const refusal = refuseRequest(request, app.hostPolicy);
    if (refusal) throw refusal;
    const cors = setCorsHeaders(app, request, response);
    if (request.method === 'OPTIONS') {
      if (!cors) throw new HttpError(403, 'cross-origin requests are refused; list the origin in NODETOOL_ALLOWED_ORIGINS to allow it');
      return answerPreflight(response);
    }
    const authenticated = !app.serverToken || app.serverToken.authenticates(request);
    if (request.method === 'GET' && url.searchParams.has('token') && !url.pathname.startsWith('/api/')) return loginFromLink(app, request, response, url);

    const route = router.match(request.method ?? 'GET', url.pathname);
    if (route === 405) return json(response, 405, { error: `${request.method} is not allowed on ${url.pathname}` });
    if (route) {
      if (!route.public && !authenticated) {
        response.setHeader('www-authenticate', 'Bearer');
        throw new HttpError(401, 'authentication required: send Authorization: Bearer <NODETOOL_SERVER_TOKEN>, or log in');
      }
      const result = await route.handler({ request, response, params: route.params, query: url.searchParams, authenticated });
      if (result) json(response, result.status, result.body);
      return;
    }
    // The UI's files are public: they hold no data, and they must load to show the login form.
    if (request.method === 'GET' && app.config.webRoot && !url.pathname.startsWith('/api/')) {
      if (await serveStatic(app.config.webRoot, url.pathname, response)) return;
    }
    json(response, 404, { error: `nothing at ${url.pathname}` });
  } catch (error) {
    const failure = toHttpError(error);
    if (failure.status === 500) console.error(error);
    if (failure.status === 429) response.setHeader('retry-after', '1');
    json(response, failure.status, { error: failure.message, ...(failure.details ? { details: failure.details } : {}) });
  }
}

/**
 * Jupyter-style: a link carrying ?token= logs the browser in (a session cookie) and is redirected to the
 * same page without the token, so it leaves the address bar and the history. A wrong token just loses it.
 */
function loginFromLink(app: App, request: IncomingMessage, response: ServerResponse, url: URL): void {
  const token = url.searchParams.get('token') ?? '';
  url.searchParams.delete('token');
  if (app.serverToken?.matches(token)) response.setHeader('set-cookie', app.serverToken.sessionCookie(isHttps(request.headers)));
  response.writeHead(302, { location: `${url.pathname}${url.search}`, 'cache-control': 'no-store' }).end();
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
