import type { PeerCertificate } from 'node:tls';
import WebSocket from 'ws';
import { describeBytes } from '@nt/protocol';
import { ConfigError, ConnectionClosedError, FrameTooLargeError, WorkerAuthError, WorkerUnreachableError, type BridgeError } from '../errors.js';
import { isConfidentialWorkerUrl, privateOnlyLookup } from '../linkSecurity.js';
import { describeUrl } from '../redact.js';
import { Keepalive } from './keepalive.js';
import { pinnedTlsOptions } from './tlsPin.js';
import type { Transport, TransportListener } from './transport.js';

export interface WebsocketTransportSettings {
  url: string;
  /** The bearer token for this handshake, or none. */
  token: string | undefined;
  openTimeoutMs: number;
  maxFrameSize: number;
  keepalive: { intervalMs: number; timeoutMs: number } | false;
  /** Extra CA certificate(s) trusted for wss://. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** For wss:// to an address: the name the certificate must carry (and SNI sends). */
  servername?: string;
  /** For wss://: trust exactly the certificate with this SHA-256 fingerprint (normalized), checked on every connect. */
  fingerprint?: string;
  /**
   * A token goes over plain ws:// to a host given by name: connect only if every address the name
   * resolves to is private (checked in the lookup itself, so the address checked is the one connected to).
   */
  privateAddressesOnly?: boolean;
}

/**
 * One WebSocket to a worker: the bearer token on the handshake (401 becomes WorkerAuthError at once),
 * binary frames both ways under the ceiling, and ping/pong so a frozen worker is noticed within
 * interval + timeout instead of TCP's minutes.
 */
export class WebsocketTransport implements Transport {
  readonly kind = 'websocket' as const;
  private socket: WebSocket | null = null;
  private keepalive: Keepalive | null = null;
  private closedByOwner = false;
  /** Set while a handshake is pending, so close() can end it at once. */
  private abortHandshake: (() => void) | null = null;

  constructor(
    private readonly settings: WebsocketTransportSettings,
    private readonly listener: TransportListener,
  ) {}

  get target(): string {
    return describeUrl(this.settings.url);
  }

  get confidential(): boolean {
    return isConfidentialWorkerUrl(this.settings.url);
  }

  async open(): Promise<void> {
    const socket = await this.connect();
    this.socket = socket;
    let receiveError: Error | null = null;
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.listener.onPayload(data);
      else this.listener.onWarning('ignored a text message from the worker (the protocol is binary msgpack)');
    });
    socket.on('error', (error) => (receiveError = error));
    socket.on('close', (code: number) => this.lost(closeCause(code, receiveError, this.settings.maxFrameSize, socket)));
    if (this.settings.keepalive) {
      this.keepalive = new Keepalive(socket, this.settings.keepalive.intervalMs, this.settings.keepalive.timeoutMs, (cause) => this.lost(cause));
      this.keepalive.start();
    }
  }

  send(payload: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject(new ConnectionClosedError('the worker connection is not open'));
    return new Promise((resolve, reject) => {
      socket.send(payload, { binary: true }, (error) =>
        error ? reject(new ConnectionClosedError(`sending to the worker failed: ${error.message}`)) : resolve(),
      );
    });
  }

  pause(): void {
    // A paused socket reads no pongs either: the keepalive waits with it.
    this.keepalive?.stop();
    this.socket?.pause();
  }

  resume(): void {
    this.socket?.resume();
    this.keepalive?.start();
  }

  async close(): Promise<void> {
    this.closedByOwner = true;
    this.abortHandshake?.();
    this.teardown();
  }

  /** Reported once: the socket is gone (closed, errored, or silent past the keepalive deadline). */
  private lost(cause: BridgeError): void {
    if (!this.socket) return;
    this.teardown();
    if (!this.closedByOwner) this.listener.onClose(cause);
  }

  private teardown(): void {
    this.keepalive?.stop();
    this.keepalive = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
    }
  }

  private async connect(): Promise<WebSocket> {
    const { url, fingerprint } = this.settings;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (error) {
      throw new WorkerUnreachableError(`Invalid worker URL ${describeUrl(url)}: ${(error as Error).message}`);
    }
    if (!fingerprint || parsed.protocol !== 'wss:') return this.handshake({ ca: this.settings.ca });
    const pinned = await pinnedTlsOptions(
      { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 443), servername: this.settings.servername, shown: describeUrl(url) },
      fingerprint,
      this.settings.openTimeoutMs,
    );
    return this.handshake(pinned);
  }

  private handshake(tls: {
    ca?: WebsocketTransportSettings['ca'];
    checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
  }): Promise<WebSocket> {
    const { url, token } = this.settings;
    const safeUrl = describeUrl(url);
    return new Promise((resolve, reject) => {
      let socket: WebSocket;
      try {
        socket = new WebSocket(url, {
          headers: token ? { Authorization: `Bearer ${token}` } : {},
          maxPayload: this.settings.maxFrameSize,
          handshakeTimeout: this.settings.openTimeoutMs,
          perMessageDeflate: false,
          ...(this.settings.privateAddressesOnly ? { lookup: privateOnlyLookup(safeUrl) } : {}),
          ...tls,
          ...(this.settings.servername ? { servername: this.settings.servername } : {}),
        });
      } catch (error) {
        reject(new WorkerUnreachableError(`Invalid worker URL ${safeUrl}: ${(error as Error).message}`));
        return;
      }
      const fail = (error: BridgeError) => {
        this.abortHandshake = null;
        // A late 'error' on a socket we gave up on must never crash the process.
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.terminate();
        reject(error);
      };
      socket.once('unexpected-response', (request, response) => {
        const status = response.statusCode ?? 0;
        response.resume();
        request.destroy();
        fail(
          status === 401
            ? new WorkerAuthError(safeUrl)
            : new WorkerUnreachableError(`The worker at ${safeUrl} answered the WebSocket handshake with HTTP ${status}`),
        );
      });
      socket.once('error', (error) =>
        fail(
          error instanceof ConfigError
            ? error
            : new WorkerUnreachableError(
                `Cannot reach the worker at ${safeUrl}: ${this.closedByOwner ? 'the bridge was closed' : error.message}${plainToTlsHint(url, error)}`,
              ),
        ),
      );
      socket.once('open', () => {
        this.abortHandshake = null;
        socket.removeAllListeners('unexpected-response');
        socket.removeAllListeners('error');
        if (this.closedByOwner) {
          socket.terminate();
          reject(new WorkerUnreachableError(`Cannot reach the worker at ${safeUrl}: the bridge was closed`));
          return;
        }
        resolve(socket);
      });
      this.abortHandshake = () => fail(new WorkerUnreachableError(`Cannot reach the worker at ${safeUrl}: the bridge was closed`));
    });
  }
}

/** Plain ws:// to a port that speaks TLS ends in a reset or a garbled answer: say what is likely wrong. */
function plainToTlsHint(url: string, error: Error): string {
  if (!url.startsWith('ws://')) return '';
  const code = (error as { code?: string }).code ?? '';
  return /ECONNRESET|HPE_|socket hang up/i.test(`${code} ${error.message}`) ? ' (does the worker serve TLS on this port? then use wss://)' : '';
}

function closeCause(code: number, error: Error | null, limit: number, socket: WebSocket): BridgeError {
  if (error && (error as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    // ws stops reading at the header, so the declared length is known without buffering the frame.
    const declared = (socket as unknown as { _receiver?: { _payloadLength?: number } })._receiver?._payloadLength;
    const size = typeof declared === 'number' && declared > limit ? declared : undefined;
    return new FrameTooLargeError(
      `a frame from the worker ${size ? `of ${describeBytes(size)} ` : ''}exceeds the ${describeBytes(limit)} ceiling ` +
        '(NODETOOL_BRIDGE_MAX_FRAME_SIZE); raise it on both ends or keep results smaller',
      size,
      limit,
    );
  }
  const reason = error ? `: ${error.message}` : '';
  return new ConnectionClosedError(`the worker closed the connection (code ${code})${reason}`);
}
