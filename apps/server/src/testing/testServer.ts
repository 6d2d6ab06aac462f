import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { PythonBridgeOptions } from '@nt/bridge';
import { NO_REAL_PROVIDER } from '@nt/providers/testing';
import { fixtureStdioOptions } from '@nt/test-fixtures';
import { configFromEnv } from '../config.js';
import type { Logger } from '../observability/logger.js';
import { startServer, type RunningServer } from '../server.js';

/**
 * TEST HELPER: a server on a free 127.0.0.1 port with its own database file, talking to the fixture
 * worker. `env` holds server settings as a user would set them (NODETOOL_SERVER_TOKEN, limits, ...).
 */
export async function startTestServer(
  options: { bridgeOptions?: PythonBridgeOptions; dbPath?: string; maxBodyBytes?: number; env?: Record<string, string>; logger?: Logger } = {},
): Promise<RunningServer & { dbPath: string }> {
  const dbPath = options.dbPath ?? join(mkdtempSync(join(tmpdir(), 'nt-server-')), 'server.db');
  const config = configFromEnv({
    // What a real process environment always has; a local worker started without it cannot run nodes that read files.
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOST: '127.0.0.1',
    PORT: '0',
    NODETOOL_DB: dbPath,
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
  return { ...server, dbPath };
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
