import { once } from 'node:events';
import WebSocket, { WebSocketServer } from 'ws';

/** What crossed the proxy, and what it cut. */
export interface FrameLimitProxy {
  url: string;
  /** The largest frame it let through, each way (bytes). */
  largest: { toWorker: number; fromWorker: number };
  /** Frames it refused (the link was dropped for each). */
  cut: Array<{ direction: 'toWorker' | 'fromWorker'; bytes: number }>;
  close(): Promise<void>;
}

/**
 * TEST FIXTURE: a WebSocket hop between the server and a worker that drops the connection when one
 * frame exceeds `maxFrameBytes`, as RunPod's HTTP proxy does at about 1.8 MiB (and tunnels and
 * corporate proxies do at their own limits). The upgrade's Authorization header goes through.
 */
export async function startFrameLimitProxy(target: string, maxFrameBytes: number): Promise<FrameLimitProxy> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 2 ** 31 });
  await once(server, 'listening');
  const largest = { toWorker: 0, fromWorker: 0 };
  const cut: FrameLimitProxy['cut'] = [];
  server.on('connection', (client, request) => {
    const upstream = new WebSocket(target, {
      headers: request.headers.authorization ? { authorization: request.headers.authorization } : {},
      maxPayload: 2 ** 31,
    });
    const pending: Buffer[] = [];
    const relay = (from: WebSocket, to: WebSocket, direction: 'toWorker' | 'fromWorker') =>
      from.on('message', (data: Buffer, isBinary) => {
        if (data.byteLength > maxFrameBytes) {
          cut.push({ direction, bytes: data.byteLength });
          client.terminate();
          upstream.terminate();
          return;
        }
        largest[direction] = Math.max(largest[direction], data.byteLength);
        if (to.readyState === WebSocket.OPEN) to.send(data, { binary: isBinary });
        else if (direction === 'toWorker') pending.push(data);
      });
    relay(client, upstream, 'toWorker');
    relay(upstream, client, 'fromWorker');
    upstream.on('open', () => {
      for (const data of pending.splice(0)) upstream.send(data, { binary: true });
    });
    upstream.on('unexpected-response', (_request, response) => {
      // A refused handshake (401) reaches the client as a closed link; its status is the worker's business.
      client.close(1011, `upstream answered ${response.statusCode}`);
    });
    const closeBoth = () => {
      client.terminate();
      upstream.terminate();
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    largest,
    cut,
    async close() {
      for (const client of server.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
