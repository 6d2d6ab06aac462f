import { describeTarget } from '@nt/data';
/** nx run server:serve — the HTTP + WebSocket server on HOST:PORT (127.0.0.1:7777). */
import { ConfigError } from '@nt/bridge';
import { systemSettings } from '@nt/providers';
import { redactSecrets, settingsHelp } from '@nt/settings';
import { configFromEnv, type ServerConfig } from './config.js';
import { createLogger, type Logger } from './observability/logger.js';
import { startServer } from './server.js';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`Usage: node apps/server/dist/main.js   (or: npx nx run server:serve)

The HTTP and WebSocket server: workflows, runs, the worker pool, rented workers, the web UI.
Settings (environment variables; the README's settings table has them all):
${settingsHelp(['server', 'bridge'], systemSettings())}
`);
  process.exit(0);
}

let config: ServerConfig;
let logger: Logger;
try {
  config = configFromEnv();
  logger = createLogger({ ...config.logging, env: process.env });
} catch (error) {
  // A bad setting is one line that names it, never a stack trace.
  process.stderr.write(`[server] cannot start: ${redactSecrets((error as Error).message, process.env, systemSettings(process.env))}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
// Whatever a line carries (an SDK's error, a worker's message), no secret reaches the log (createLogger).
const log = (line: string) => logger.info(line);

// The last line of defence: a promise some code path forgot to handle is logged, never fatal.
process.on('unhandledRejection', (reason) =>
  logger.error({ err: reason instanceof Error ? reason : new Error(String(reason)) }, 'unhandled rejection (the server carries on)'),
);

try {
  const server = await startServer(config, logger);
  log(`listening on ${server.url} (database ${describeTarget(config.database)}${config.webRoot ? `, UI from ${config.webRoot}` : ', no UI build found'})`);
  log(
    config.serverToken
      ? 'NODETOOL_SERVER_TOKEN is set: the API and the WebSocket need it (the UI asks for it once)'
      : 'no NODETOOL_SERVER_TOKEN: open to this machine only',
  );
  const shutdown = (signal: string) => {
    log(`${signal}: shutting down (runs in flight get ${config.shutdownTimeoutMs} ms to stop)`);
    // Should closing itself hang, the process still ends shortly after the deadline.
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 5_000).unref();
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
} catch (error) {
  logger.fatal(`cannot start: ${(error as Error).message}`);
  process.exit(1);
}
