import { connect, type AddressInfo, type Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';

export interface TlsFront {
  port: number;
  close(): Promise<void>;
}

/**
 * TEST FIXTURE: TLS terminated in front of a worker process, as the image's stunnel does on its port:
 * a Node TLS server on 127.0.0.1 with the certificate and key a rented instance was given, piping the
 * bytes to the worker. For suites that boot worker processes instead of the image (the container
 * suites use the image's own terminator).
 */
export async function startTlsFront(options: { certPem: string; keyPem: string; target: { host: string; port: number } }): Promise<TlsFront> {
  const sockets = new Set<Socket | TLSSocket>();
  const server = createServer({ cert: options.certPem, key: options.keyPem, minVersion: 'TLSv1.2' }, (incoming) => {
    const outgoing = connect(options.target.port, options.target.host);
    for (const socket of [incoming, outgoing]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        incoming.destroy();
        outgoing.destroy();
      });
    }
    incoming.pipe(outgoing).pipe(incoming);
  });
  // A client that gives up mid-handshake (a pin check) is no error of ours.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
