import type { BridgeError } from '../errors.js';

/**
 * The byte pipe under an RPC connection: it opens, carries whole msgpack payloads both ways, and says
 * once, with the cause, when it has closed. It knows nothing of requests. A transport is used for one
 * connection only; reconnecting means opening a new one.
 */
export interface Transport {
  readonly kind: 'websocket' | 'stdio';
  /** Where it points, safe to print (no credentials). */
  readonly target: string;
  /** Whether what it carries stays private (stdio, TLS, or loopback). */
  readonly confidential: boolean;
  /** Resolves once payloads can be sent; rejects with a BridgeError (token rejected, unreachable, ...). */
  open(): Promise<void>;
  /**
   * Sends one payload; rejects when the transport cannot take it. The payload may be a view of a buffer
   * the next encode reuses: the transport must write or copy it before send() returns.
   */
  send(payload: Uint8Array): Promise<void>;
  /** Ends it for good; resolves once everything it owns (a socket, a child process) is gone. */
  close(): Promise<void>;
  /**
   * Stops reading until resume(): a sink downstream (the disk under a result) is slower than the link,
   * and what the worker sends meanwhile waits in its own buffers (TCP, the pipe), not in ours.
   */
  pause?(): void;
  resume?(): void;
}

/** What a transport reports to the connection above it. */
export interface TransportListener {
  onPayload(payload: Uint8Array): void;
  /**
   * Called once, after open() resolved, when the link is lost; not called for close(). `perRequest`
   * builds the error each request in flight fails with, when the transport can say more than the cause.
   */
  onClose(cause: BridgeError, perRequest?: (what: string) => BridgeError): void;
  /** Something worth telling the user that is not a failure (a text frame ignored, a token in the clear). */
  onWarning(message: string): void;
  /** A stderr line of a worker process (stdio only). */
  onStderr?(line: string): void;
  /** The worker process ended (stdio only). */
  onExit?(exit: { code: number | null; signal: string | null }): void;
}
