import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inject } from 'vitest';
import WebSocket from 'ws';
import type { PythonBridgeOptions } from '@nt/bridge';
import { NO_REAL_PROVIDER } from '@nt/providers/testing';
import type { DatabaseTarget } from '@nt/data';
import { createPostgresDatabase, fixtureStdioOptions } from '@nt/test-fixtures';
import { configFromEnv } from '../config.js';
import type { Logger } from '../observability/logger.js';
import { startServer, type RunningServer } from '../server.js';

/** Where a test server keeps its data: its database, and the folder beside it (assets, rented workers' tokens). */
export interface TestServerData {
  database: DatabaseTarget;
  dataDir: string;
}

let databases = 0;

/**
 * A fresh database of the matrix's kind (NT_TEST_DATABASE, databaseMatrix.ts): a SQLite file in a new
 * folder, or a new database on the run's Postgres with a new folder for the files beside it.
 */
export async function freshTestData(): Promise<TestServerData> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nt-server-'));
  const postgresUrl = inject('postgresUrl');
  if (!postgresUrl) return { database: { kind: 'sqlite', path: join(dataDir, 'server.db') }, dataDir };
  const url = await createPostgresDatabase(postgresUrl, `server_${process.pid}_${++databases}`);
  return { database: { kind: 'postgres', url }, dataDir };
}

/** The settings that put a server on `data`: NODETOOL_DB, or DATABASE_URL with the folder beside it. */
export function dataEnv(data: TestServerData): Record<string, string> {
  if (data.database.kind === 'sqlite') return { NODETOOL_DB: data.database.path };
  // What every replica of a team's servers would be given: the key rented workers' tokens are sealed with.
  const key = join(data.dataDir, 'secrets.key');
  if (!existsSync(key)) writeFileSync(key, randomBytes(32).toString('hex'), { mode: 0o600 });
  return { DATABASE_URL: data.database.url, XDG_DATA_HOME: data.dataDir, NODETOOL_ASSETS_DIR: join(data.dataDir, 'assets'), NODETOOL_SECRETS_KEY_FILE: key };
}

/**
 * TEST HELPER: a server on a free 127.0.0.1 port with a database of its own (the matrix's kind), talking
 * to the fixture worker. `env` holds server settings as a user would set them (NODETOOL_SERVER_TOKEN,
 * limits, ...). `data` puts it on an earlier server's data (a restart); `dbPath` on a SQLite file (a
 * suite about SQLite itself).
 */
export async function startTestServer(
  options: {
    bridgeOptions?: PythonBridgeOptions;
    data?: TestServerData;
    dbPath?: string;
    maxBodyBytes?: number;
    env?: Record<string, string>;
    logger?: Logger;
  } = {},
): Promise<RunningServer & TestServerData & { dbPath: string }> {
  const data: TestServerData = options.dbPath
    ? { database: { kind: 'sqlite', path: options.dbPath }, dataDir: dirname(options.dbPath) }
    : options.data
      ? { database: options.data.database, dataDir: options.data.dataDir }
      : await freshTestData();
  const config = configFromEnv({
    // What a real process environment always has; a local worker started without it cannot run nodes that read files.
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOST: '127.0.0.1',
    PORT: '0',
    ...dataEnv(data),
    NODETOOL_MAX_BODY_BYTES: String(options.maxBodyBytes ?? 1024 * 1024),
    // No test talks to a real provider: one the suite did not point at its fixture is a closed port.
    ...NO_REAL_PROVIDER,
    ...options.env,
  });
  const server = await startServer(
    {
      ...config,
      webRoot: null,
      // The worker settings of `env` stay (the pool, the shared token); bridgeOptions adds to them.
      bridgeOptions: { ...config.bridgeOptions, ...(options.bridgeOptions ?? fixtureStdioOptions()) },
      workerRetry: { initialDelayMs: 200, maxDelayMs: 1_000 },
      // Every error a suite meets must be one its route declares.
      strictContract: true,
    },
    options.logger,
  );
  return { ...server, ...data, dbPath: data.database.kind === 'sqlite' ? data.database.path : '' };
}

export async function waitForWorker(server: RunningServer, state = 'connected', timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (server.app.workers.status().worker.state !== state) {
    if (Date.now() > deadline) throw new Error(`worker is ${server.app.workers.status().worker.state}, expected ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A JSON API call as the UI makes it: state-changing methods are sent as application/json. */
export async function api(
  server: RunningServer,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(server.url + path, {
    method,
    headers: { ...(method === 'GET' ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A /ws client that records every message it receives. */
export async function wsClient(
  server: RunningServer,
  headers: Record<string, string> = {},
): Promise<{ messages: any[]; send(message: object): void; waitFor(predicate: (m: any) => boolean, timeoutMs?: number): Promise<any>; close(): void }> {
  const socket = new WebSocket(server.url.replace('http', 'ws') + '/ws', { headers });
  const messages: any[] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    messages.push(JSON.parse(data.toString()));
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
  return {
    messages,
    send: (message) => socket.send(JSON.stringify(message)),
    async waitFor(predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching message in ${messages.length} received`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    close: () => socket.close(),
  };
}

export const node = (id: string, type: string, data: Record<string, unknown> = {}) => ({ id, type, data });
export const edge = (source: string, target: string, targetHandle = 'value') => ({ source, sourceHandle: 'output', target, targetHandle });
export const echoGraph = (value: unknown, name = 'out') => ({
  nodes: [node('say', 'fixtures.Echo', { value }), node('shown', 'nodetool.workflows.base_node.Preview', { name })],
  edges: [edge('say', 'shown')],
});
