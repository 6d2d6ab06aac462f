import type { App } from './app.js';
import type { ServerConfig } from './config.js';
import { buildHttpServer } from './http/buildHttpServer.js';
import { silentLogger, type Logger } from './observability/logger.js';
import { serveMetricsOnLoopback } from './observability/metricsPort.js';
import { RunLog } from './observability/runLog.js';
import { announceWorkers } from './startup/announceWorkers.js';
import { assembleApp } from './startup/assembleApp.js';
import { openStorage } from './startup/openStorage.js';
import { leadSingletonWork } from './startup/singletonWork.js';
import { WsHub } from './ws/wsHub.js';

export interface RunningServer {
  url: string;
  app: App;
  /** Stops taking work, cancels runs in flight, waits for them up to the shutdown timeout, then closes. */
  close(): Promise<void>;
}

/**
 * Opens the storage, assembles the server's parts, listens, then starts the pool of workers (the server
 * runs whether or not any worker is up), the cost guard and retention. Resolves once listening.
 */
export async function startServer(config: ServerConfig, logger: Logger = silentLogger()): Promise<RunningServer> {
  const log = (line: string) => logger.info(line);
  const { db, assets } = await openStorage(config, log);
  const app = await assembleApp(config, db, assets, log);
  observeRuns(app, logger);
  // Among replicas: announced (refused if its assets would be unreadable to the others) before it takes a request.
  await app.presence?.start();
  await app.bus?.start();
  app.claims?.start();
  app.sharedPool?.start();

  const hub = new WsHub(app, log);
  const http = await buildHttpServer(app, hub, logger);
  await http.listen({ port: config.port, host: config.host });
  const metricsServer = config.metricsPort ? await serveMetricsOnLoopback(app.metrics, config.metricsPort) : null;
  const { port } = http.server.address() as { port: number };

  announceWorkers(app.workers, log);
  const singletons = leadSingletonWork(app, db, assets, config, log);
  void app.workers
    .start()
    .then(() => app.rented.followAttachments())
    .catch((error: Error) => log(`the workers could not start: ${error.message}`))
    // Leading starts the scaler: only once the rented workers rejoined, so it does not rent again what is only reconnecting.
    .finally(() => app.leadership.start());

  let closing: Promise<void> | null = null;
  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    app,
    close() {
      closing ??= (async () => {
        // Stops listening now; resolves once the requests in flight (runs waited on) have answered.
        const closed = http.close();
        // Taking no new run from here on (readiness says so at once); then no claim of another replica's either.
        const shutdown = app.runs.shutdown(config.shutdownTimeoutMs);
        await app.claims?.stop();
        const unfinished = await shutdown;
        if (unfinished) log(`${unfinished} run(s) did not finish within ${config.shutdownTimeoutMs} ms and were marked failed`);
        await singletons.stop();
        app.rented.shutdown();
        hub.close();
        // Each worker releases what its keep-alive holds, or it would keep it until its job TTL.
        await app.workers.stop();
        http.server.closeAllConnections();
        await closed;
        await metricsServer?.close();
        await app.sharedPool?.stop();
        await app.bus?.stop();
        await app.presence?.stop();
        await db.close();
      })();
      return closing;
    },
  };
}

/** Every run event counted in the metrics and written to the log; the cost guard's actions counted too. */
function observeRuns(app: App, logger: Logger): void {
  const runLog = new RunLog(logger);
  app.runs.on('event', (event) => {
    app.metrics.observeRun(event);
    runLog.observe(event);
  });
  app.rented.on('guard', (event) => app.metrics.observeGuard(event));
}
