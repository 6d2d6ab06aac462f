/** nx run server:serve — the HTTP + WebSocket server on HOST:PORT (127.0.0.1:7777). */
import { configFromEnv } from './config.js';
import { startServer } from './server.js';

const log = (line: string) => process.stdout.write(`[server] ${line}\n`);
try {
  const config = configFromEnv();
  const server = await startServer(config, log);
  log(`listening on ${server.url} (database ${config.dbPath}${config.webRoot ? `, UI from ${config.webRoot}` : ', no UI build found'})`);
  if (!['127.0.0.1', '::1', 'localhost'].includes(config.host)) {
    // The server has no user authentication of its own: anyone who reaches it can run workflows on the worker.
    log(`WARNING: listening on ${config.host}, beyond this machine, with no authentication; put it behind an authenticating proxy or bind HOST=127.0.0.1`);
  }
  const shutdown = (signal: string) => {
    log(`${signal}: shutting down`);
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
} catch (error) {
  process.stderr.write(`[server] cannot start: ${(error as Error).message}\n`);
  process.exit(1);
}
