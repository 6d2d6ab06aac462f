import { decodeMessage, encodeMessage, type Envelope } from '@nt/protocol';
import { ConnectionClosedError, type BridgeError } from '../errors.js';
import type { Transport, TransportListener } from '../transport/transport.js';

/**
 * TEST FIXTURE: a transport that is a pair of arrays. The test plays the worker: it reads what the
 * client sent (`sent`, decoded) and answers with `reply` / `frame` / `raw`, or drops the link.
 */
export class MemoryTransport implements Transport {
  readonly kind = 'websocket' as const;
  readonly target = 'memory://worker';
  readonly confidential = true;
  /** Every envelope the client sent, decoded, in order. */
  readonly sent: Envelope[] = [];
  private open_ = false;
  /** Whether the client asked it to stop reading (a sink behind), as a socket would be paused. */
  paused = false;

  constructor(private readonly listener: TransportListener) {}

  async open(): Promise<void> {
    this.open_ = true;
  }

  async send(payload: Uint8Array): Promise<void> {
    if (!this.open_) throw new ConnectionClosedError('the memory transport is closed');
    this.sent.push(decodeMessage(payload) as Envelope);
  }

  async close(): Promise<void> {
    this.open_ = false;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** The last request of a type the client sent. */
  last(type: string): Envelope {
    const found = [...this.sent].reverse().find((envelope) => envelope.type === type);
    if (!found) throw new Error(`no ${type} was sent (sent: ${this.sent.map((envelope) => envelope.type).join(', ') || 'nothing'})`);
    return found;
  }

  /** A frame from the worker for a request id. */
  frame(type: string, requestId: string | null, data: object): void {
    this.listener.onPayload(encodeMessage({ type, request_id: requestId, data }));
  }

  /** A terminal `result` for the last request of a type. */
  reply(requestType: string, data: object): void {
    this.frame(requestType === 'discover' ? 'discover' : 'result', this.last(requestType).request_id, data);
  }

  /** Bytes as they come, decodable or not. */
  raw(payload: Uint8Array): void {
    this.listener.onPayload(payload);
  }

  /** The link is lost, as a crashed worker would lose it. */
  drop(cause: BridgeError = new ConnectionClosedError('the memory link dropped')): void {
    this.open_ = false;
    this.listener.onClose(cause);
  }
}
