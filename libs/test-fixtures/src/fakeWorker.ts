import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { asEnvelope, decodeMessage, encodeMessage, type Envelope, type NodeMetadata } from '@nt/protocol';
import { isAuthorized, UNAUTHORIZED_BODY } from './tokenGate.js';

/** TEST FIXTURE. Node types the fake worker executes. */
export const FAKE_NODES: NodeMetadata[] = [
  fakeNode('fake.Echo', [{ name: 'value', type: { type: 'any' } }], 'any'),
  fakeNode(
    'fake.Sleep',
    [
      { name: 'ms', type: { type: 'int' } },
      { name: 'steps', type: { type: 'int' } },
    ],
    'int',
  ),
  fakeNode('fake.Fail', [{ name: 'message', type: { type: 'str' } }], 'str'),
  fakeNode('fake.Bytes', [{ name: 'size', type: { type: 'int' } }], 'bytes'),
  // Hostile on purpose, for the bridge's limits: raw frames sent as they are, blobs announced and never sent.
  fakeNode('fake.RawFrames', [{ name: 'frames', type: { type: 'list' } }], 'int'),
  fakeNode('fake.AnnounceBlobs', [{ name: 'sizes', type: { type: 'list' } }], 'int'),
];

export interface FakeWorkerOptions {
  token?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  tls?: { key: string | Buffer; cert: string | Buffer };
  protocolVersion?: number;
}

/**
 * TEST FIXTURE: a WebSocket worker that speaks enough of the protocol
 * (discover, worker.status, execute, cancel, job.*) for bridge tests, with the
 * real worker's token gate. It can also misbehave on purpose: freeze, drop
 * every connection, move to a new port.
 */
export class FakeWorker {
  private server: Server | null = null;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 0 });
  private readonly sockets = new Set<WebSocket>();
  private readonly running = new Map<string, { cancel: () => void }>();
  token: string | undefined;
  port = 0;
  /** Every request received, in order. */
  readonly received: Envelope[] = [];
  /** Every Authorization header presented, for assertions that it was (re)sent. */
  readonly authHeaders: Array<string | undefined> = [];
  /** Handshakes refused with 401. */
  rejectedHandshakes = 0;

  constructor(private readonly options: FakeWorkerOptions = {}) {
    this.token = options.token;
  }

  get url(): string {
    return `${this.options.tls ? 'wss' : 'ws'}://127.0.0.1:${this.port}`;
  }

  async start(port = this.options.port ?? 0): Promise<this> {
    const server = this.options.tls ? createHttpsServer(this.options.tls) : createHttpServer();
    server.on('request', (_req, res) => res.writeHead(426).end('Upgrade Required\n'));
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this;
  }

  /** Stops reading from every connection: requests and pings go unanswered, the TCP link stays up. */
  freeze(): void {
    for (const socket of this.sockets) (socket as unknown as { _socket: Duplex })._socket.pause();
  }

  /** Drops every connection abruptly, as a crashed worker would. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Restarts on a different free port, as a cloud instance that came back elsewhere. */
  async moveToNewPort(): Promise<void> {
    await this.stop();
    await this.start(0);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const header = req.headers.authorization;
    this.authHeaders.push(header);
    if (!isAuthorized(header, this.token)) {
      this.rejectedHandshakes++;
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nContent-Length: ${UNAUTHORIZED_BODY.length}\r\n` +
          `Connection: close\r\n\r\n${UNAUTHORIZED_BODY}`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('message', (data: Buffer) => this.onMessage(ws, data));
    });
  }

  private onMessage(ws: WebSocket, data: Buffer): void {
    let envelope: Envelope | null;
    try {
      envelope = asEnvelope(decodeMessage(data));
    } catch (error) {
      send(ws, 'error', null, { error: `Malformed msgpack frame: ${(error as Error).message}` });
      return;
    }
    if (!envelope) return;
    this.received.push(envelope);
    const id = envelope.request_id;
    const version = this.options.protocolVersion ?? 6;
    switch (envelope.type) {
      case 'discover':
        return send(ws, 'discover', id, { protocol_version: version, nodes: FAKE_NODES, load_errors: [] });
      case 'worker.status':
        return send(ws, 'result', id, {
          protocol_version: version,
          node_count: FAKE_NODES.length,
          provider_count: 0,
          namespaces: ['fake'],
          load_errors: [],
          transport: 'websocket',
          max_frame_size: 268_435_456,
          comfy: { enabled: false, url: '' },
        });
      case 'execute':
        return void this.execute(ws, id, envelope.data);
      case 'cancel':
        this.running.get(id ?? '')?.cancel();
        return;
      case 'job.start':
        return send(ws, 'result', id, { job_id: envelope.data['job_id'], started: true });
      case 'job.end':
        return send(ws, 'result', id, { job_id: envelope.data['job_id'], released_nodes: [], known: true });
      default:
        return send(ws, 'error', id, { error: `Unknown message type: ${envelope.type}` });
    }
  }

  private async execute(ws: WebSocket, id: string | null, data: Record<string, unknown>): Promise<void> {
    const fields = (data['fields'] ?? {}) as Record<string, unknown>;
    switch (data['node_type']) {
      case 'fake.Echo':
        return send(ws, 'result', id, { outputs: { output: fields['value'] ?? null }, blobs: {} });
      case 'fake.Fail':
        return send(ws, 'error', id, { error: String(fields['message'] ?? 'fake failure'), traceback: 'Traceback: fake' });
      case 'fake.Bytes':
        return send(ws, 'result', id, { outputs: { output: new Uint8Array(Number(fields['size'] ?? 0)) }, blobs: {} });
      case 'fake.RawFrames': {
        const frames = (fields['frames'] ?? []) as Uint8Array[];
        for (const frame of frames) ws.send(frame, { binary: true });
        return send(ws, 'result', id, { outputs: { output: frames.length }, blobs: {} });
      }
      case 'fake.AnnounceBlobs': {
        // Declares result blobs of these sizes and then sends nothing more, as a worker probing the client's memory.
        const sizes = (fields['sizes'] ?? []) as number[];
        sizes.forEach((size, index) => send(ws, 'blob.start', id, { name: `blob${index}`, size }));
        return;
      }
      case 'fake.Sleep': {
        const ms = Number(fields['ms'] ?? 100);
        const steps = Math.max(1, Number(fields['steps'] ?? 1));
        let cancelled = false;
        this.running.set(id ?? '', { cancel: () => (cancelled = true) });
        for (let step = 1; step <= steps && !cancelled; step++) {
          await new Promise((resolve) => setTimeout(resolve, ms / steps));
          if (!cancelled) send(ws, 'progress', id, { progress: step, total: steps, message: null });
        }
        this.running.delete(id ?? '');
        return cancelled
          ? send(ws, 'error', id, { error: 'Node execution was cancelled', traceback: '' })
          : send(ws, 'result', id, { outputs: { output: ms }, blobs: {} });
      }
      default:
        return send(ws, 'error', id, { error: `Unknown node type: ${String(data['node_type'])}`, traceback: '' });
    }
  }
}

export async function startFakeWorker(options: FakeWorkerOptions = {}): Promise<FakeWorker> {
  return new FakeWorker(options).start();
}

function send(ws: WebSocket, type: string, requestId: string | null, data: object): void {
  if (ws.readyState === ws.OPEN) ws.send(encodeMessage({ type, request_id: requestId, data }));
}

function fakeNode(nodeType: string, properties: NodeMetadata['properties'], output: string): NodeMetadata {
  return {
    node_type: nodeType,
    title: nodeType.split('.').pop(),
    description: 'Fake node of the test worker',
    properties,
    outputs: [{ name: 'output', type: { type: output } }],
    required_settings: [],
    recommended_models: [],
    is_streaming_output: false,
    is_streaming_input: false,
    is_dynamic: false,
  };
}
