import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { PythonBridgeOptions } from '@nt/bridge';
import { fixtureStdioOptions } from '@nt/worker-auth-fixtures';
import { startServer, type RunningServer } from '../server.js';

/** TEST HELPER: a server on a free 127.0.0.1 port with its own database file, talking to the fixture worker. */
export async function startTestServer(options: { bridgeOptions?: PythonBridgeOptions; dbPath?: string; maxBodyBytes?: number } = {}): Promise<RunningServer & { dbPath: string }> {
  const dbPath = options.dbPath ?? join(mkdtempSync(join(tmpdir(), 'nt-server-')), 'server.db');
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dbPath,
    webRoot: null,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    bridgeOptions: options.bridgeOptions ?? fixtureStdioOptions(),
    workerRetry: { initialDelayMs: 200, maxDelayMs: 1_000 },
  });
  return { ...server, dbPath };
}

export async function waitForWorker(server: RunningServer, state = 'connected', timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (server.app.worker.status().state !== state) {
    if (Date.now() > deadline) throw new Error(`worker is ${server.app.worker.status().state}, expected ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function api(server: RunningServer, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(server.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A /ws client that records every message it receives. */
export async function wsClient(server: RunningServer): Promise<{ messages: any[]; send(message: object): void; waitFor(predicate: (m: any) => boolean, timeoutMs?: number): Promise<any>; close(): void }> {
  const socket = new WebSocket(server.url.replace('http', 'ws') + '/ws');
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
