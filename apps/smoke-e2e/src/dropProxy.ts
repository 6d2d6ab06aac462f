import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface DropProxy {
  /** The URL to open instead of the target's. */
  url: string;
  /** Connections it accepted so far (a page that reconnects makes a new one). */
  readonly accepted: number;
  /** Cuts every connection through it at once, as a network drop would; new ones still go through. */
  drop(): void;
  close(): Promise<void>;
}

/**
 * TEST FIXTURE: a plain TCP relay on 127.0.0.1 in front of a server, so a test can cut a browser's
 * connections (its WebSocket among them) the way a flaky network does, while the server goes on.
 */
export async function startDropProxy(target: string): Promise<DropProxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  let accepted = 0;
  const server = createServer((client) => {
    accepted++;
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get accepted() {
      return accepted;
    },
    drop: () => {
      for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
