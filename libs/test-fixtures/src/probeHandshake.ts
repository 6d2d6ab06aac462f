import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';

export interface HandshakeOutcome {
  /** 101 when the upgrade was accepted, else the HTTP status the worker answered with. */
  status: number;
  /** The response body of a refused handshake. */
  body: string;
}

/**
 * Performs a raw WebSocket opening handshake with exactly the headers given,
 * so cases a WebSocket client would normalise (a trailing space, two spaces)
 * reach the worker byte for byte.
 */
export function probeHandshake(
  url: string,
  headers: Record<string, string>,
  options: { ca?: string | Buffer; timeoutMs?: number } = {},
): Promise<HandshakeOutcome> {
  const target = new URL(url.replace(/^ws/, 'http'));
  const send = target.protocol === 'https:' ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    const req = send(target, {
      method: 'GET',
      ca: options.ca,
      timeout: options.timeoutMs ?? 10_000,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve({ status: 101, body: '' });
    });
    req.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`handshake with ${target.host} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
