import type WebSocket from 'ws';
import { ConnectionClosedError } from '../errors.js';

/**
 * Pings the worker on a fixed interval and declares the connection dead when
 * a pong is late. TCP alone notices a frozen or half-open worker only after
 * minutes; this notices it within interval + timeout.
 */
export class Keepalive {
  private interval: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly onDead: (cause: ConnectionClosedError) => void,
  ) {}

  start(): void {
    this.socket.on('pong', this.onPong);
    this.interval = setInterval(() => this.ping(), this.intervalMs);
    this.interval.unref();
  }

  stop(): void {
    clearInterval(this.interval);
    clearTimeout(this.deadline);
    this.socket.off('pong', this.onPong);
  }

  private ping(): void {
    if (this.deadline) return;
    this.deadline = setTimeout(() => {
      this.stop();
      this.onDead(new ConnectionClosedError(`the worker did not answer a keepalive ping within ${this.timeoutMs} ms`));
    }, this.timeoutMs);
    this.deadline.unref();
    try {
      this.socket.ping();
    } catch {
      // The close handler reports a socket that can no longer send.
    }
  }

  private readonly onPong = (): void => {
    clearTimeout(this.deadline);
    this.deadline = undefined;
  };
}
