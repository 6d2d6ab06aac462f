import { readFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { describeBytes } from '@nt/protocol';
import { fullJitterDelay } from './backoff.js';
import { BridgeCore } from './bridgeCore.js';
import {
  BridgeError,
  ConfigError,
  ConnectionClosedError,
  FrameTooLargeError,
  NotConnectedError,
  WorkerAuthError,
  WorkerUnreachableError,
} from './errors.js';
import { Keepalive } from './keepalive.js';
import { resolveSettings, type PythonBridgeOptions } from './options.js';
import type { BridgeState, ReconnectingInfo } from './pythonBridge.js';
import { isConfidentialWorkerUrl } from './linkSecurity.js';
import { describeUrl } from './redact.js';

export interface WebsocketBridgeOptions extends PythonBridgeOptions {
  wsUrl: string;
}

/**
 * Attaches to a running worker over WebSocket. Sends the bearer token on
 * every handshake, pings to catch a frozen worker, and after losing an
 * established connection reconnects with full-jitter backoff, re-running
 * discover and worker.status. It never spawns anything.
 */
export class WebsocketPythonBridge extends BridgeCore {
  readonly transport = 'websocket' as const;
  private url: string;
  private warnedPlainText = false;
  private socket: WebSocket | null = null;
  private keepalive: Keepalive | null = null;
  private reconnectTimer: { timer: NodeJS.Timeout; wake: () => void } | null = null;
  private handshakeSocket: WebSocket | null = null;
  /** Set while reconnecting, for status displays. */
  reconnectInfo: ReconnectingInfo | null = null;

  constructor(private readonly options: WebsocketBridgeOptions) {
    super(resolveSettings(options));
    this.url = options.wsUrl.trim();
  }

  get target(): string {
    return describeUrl(this.url);
  }

  /** TLS, or plain ws:// that stays on this machine: what travels cannot be read on the way. */
  get confidential(): boolean {
    return isConfidentialWorkerUrl(this.url);
  }

  /** The token for the next handshake: the option, or the token file read now (it may have been rotated). */
  private async currentToken(): Promise<string | undefined> {
    const file = this.options.workerTokenFile;
    if (!file) return this.options.workerToken || undefined;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new ConfigError('NODETOOL_WORKER_TOKEN_FILE', `cannot read the worker token file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const token = text.trim();
    if (!token) throw new ConfigError('NODETOOL_WORKER_TOKEN_FILE', `the worker token file ${file} is empty`);
    return token;
  }

  protected openTransport(): Promise<void> {
    return this.establish();
  }

  protected async afterFailedConnect(): Promise<BridgeState> {
    return 'idle';
  }

  protected async closeTransport(): Promise<void> {
    this.reconnectTimer?.wake();
    this.handshakeSocket?.terminate();
    this.teardown();
  }

  protected sendPayload(payload: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new NotConnectedError('The worker connection is not open'));
    }
    return new Promise((resolve, reject) => {
      socket.send(payload, { binary: true }, (error) =>
        error ? reject(new ConnectionClosedError(`sending to the worker failed: ${error.message}`)) : resolve(),
      );
    });
  }

  /** Opens a socket and runs the handshake RPCs; on any failure the socket is torn down. */
  private async establish(): Promise<void> {
    const token = await this.currentToken();
    if (token && !this.confidential && !this.warnedPlainText) {
      this.warnedPlainText = true;
      this.emit('warning', `the worker token goes over plain ws:// to ${this.target}, where anyone on the path can read it: use wss:// or a private tunnel`);
    }
    const socket = await this.openSocket(token);
    this.socket = socket;
    this.transportOpen = true;
    let lostDuringHandshake: BridgeError | null = null;
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.receivePayload(data);
      else this.emit('warning', 'ignored a text message from the worker (the protocol is binary msgpack)');
    });
    let receiveError: Error | null = null;
    socket.on('error', (error) => (receiveError = error));
    socket.on('close', (code: number) => {
      const cause = closeCause(code, receiveError, this.settings.maxFrameSize, socket);
      if (this.socket === socket) this.onConnectionLost(cause);
      else lostDuringHandshake = cause;
    });
    try {
      await this.handshake();
    } catch (error) {
      this.teardown();
      throw lostDuringHandshake ?? error;
    }
    if (this.settings.keepalive) {
      this.keepalive = new Keepalive(socket, this.settings.keepalive.intervalMs, this.settings.keepalive.timeoutMs, (cause) => {
        if (this.socket === socket) this.onConnectionLost(cause);
      });
      this.keepalive.start();
    }
  }

  private openSocket(token: string | undefined): Promise<WebSocket> {
    const safeUrl = describeUrl(this.url);
    return new Promise((resolve, reject) => {
      let socket: WebSocket;
      try {
        socket = new WebSocket(this.url, {
          headers: token ? { Authorization: `Bearer ${token}` } : {},
          maxPayload: this.settings.maxFrameSize,
          handshakeTimeout: this.settings.openTimeoutMs,
          perMessageDeflate: false,
          ca: this.options.ca,
        });
      } catch (error) {
        reject(new WorkerUnreachableError(`Invalid worker URL ${safeUrl}: ${(error as Error).message}`));
        return;
      }
      this.handshakeSocket = socket;
      const fail = (error: BridgeError) => {
        // A late 'error' on a socket we gave up on must never crash the process.
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.terminate();
        this.handshakeSocket = null;
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
      socket.once('error', (error) => {
        const reason = this.closedByOwner ? 'the bridge was closed' : error.message;
        fail(new WorkerUnreachableError(`Cannot reach the worker at ${safeUrl}: ${reason}`));
      });
      socket.once('open', () => {
        this.handshakeSocket = null;
        socket.removeAllListeners('unexpected-response');
        socket.removeAllListeners('error');
        resolve(socket);
      });
    });
  }

  /** Drops the socket without touching pending requests. */
  private teardown(): void {
    this.keepalive?.stop();
    this.keepalive = null;
    this.transportOpen = false;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
    }
  }

  private onConnectionLost(cause: BridgeError): void {
    this.teardown();
    this.failInFlight(
      (what) => new ConnectionClosedError(`Lost the worker connection (${this.target}) during ${what}: ${cause.message}`, { cause }),
    );
    if (this.closedByOwner) return;
    this.emit('disconnected', cause);
    if (!this.settings.reconnect.enabled) {
      this.setState('closed');
      return;
    }
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    this.setState('reconnecting');
    const policy = this.settings.reconnect;
    const startedAt = Date.now();
    let lastError: BridgeError = new ConnectionClosedError('the worker connection was lost');
    for (let attempt = 1; ; attempt++) {
      const outOfAttempts = policy.maxAttempts !== undefined && attempt > policy.maxAttempts;
      const outOfTime = policy.deadlineMs !== undefined && Date.now() - startedAt >= policy.deadlineMs;
      if (outOfAttempts || outOfTime) {
        this.reconnectInfo = null;
        this.setState('closed');
        this.emit(
          'reconnect_failed',
          new WorkerUnreachableError(
            `Gave up reconnecting to ${this.target} after ${attempt - 1} attempt(s) in ${Date.now() - startedAt} ms: ${lastError.message}`,
          ),
        );
        return;
      }
      // The first retry goes at once: most drops are a restart that is already over.
      const delayMs = attempt === 1 ? 0 : fullJitterDelay(attempt - 1, policy, policy.random);
      this.reconnectInfo = { attempt, delayMs, nextRetryAt: Date.now() + delayMs };
      this.emit('reconnecting', this.reconnectInfo);
      await this.sleep(delayMs);
      if (this.closedByOwner) return;
      try {
        if (this.options.resolveUrl) this.url = (await this.options.resolveUrl()).trim();
        if (this.closedByOwner) return;
        await this.establish();
      } catch (error) {
        lastError = error instanceof BridgeError ? error : new WorkerUnreachableError(String(error));
        if (lastError instanceof WorkerAuthError) this.emit('auth_rejected', lastError);
        continue;
      }
      if (this.closedByOwner) {
        this.teardown();
        return;
      }
      this.reconnectInfo = null;
      this.setState('connected');
      this.emit('reconnected');
      return;
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.reconnectTimer = null;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.reconnectTimer = { timer, wake };
    });
  }
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
