/**
 * Every bridge failure is a BridgeError with a stable `code`; callers branch
 * on the class or the code, never on message text. Messages name what failed
 * and why, and never contain the worker token.
 */
export class BridgeError extends Error {
  readonly code: string = 'BRIDGE_ERR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The worker answered the WebSocket handshake with HTTP 401: the token is missing or wrong. */
export class WorkerAuthError extends BridgeError {
  override readonly code = 'BRIDGE_ERR_TOKEN_REJECTED';
  constructor(readonly url: string) {
    super(`The worker at ${url} rejected the token (HTTP 401): set NODETOOL_WORKER_TOKEN to the value the worker was started with`);
  }
}

/** The worker could not be reached or started: refused, timed out, wrong HTTP answer, missing interpreter. */
export class WorkerUnreachableError extends BridgeError {
  override readonly code = 'BRIDGE_ERR_UNREACHABLE';
}

/** A request was made while no connection is open (closed, or between reconnect attempts). */
export class NotConnectedError extends BridgeError {
  override readonly code = 'BRIDGE_ERR_NOT_CONNECTED';
}

/** The connection dropped (or the stdio worker exited) while the request was in flight. */
export class ConnectionClosedError extends BridgeError {
  override readonly code = 'BRIDGE_ERR_CONNECTION_CLOSED';
}

/** The worker broke the wire contract: an undecodable stream, an unsupported protocol version. */
export class ProtocolError extends BridgeError {
  override readonly code = 'BRIDGE_ERR_PROTOCOL';
}

/** A frame above the configured ceiling, in either direction. */
export class FrameTooLargeError extends BridgeError {
  override readonly code = 'BRIDGE_ERR_FRAME_TOO_LARGE';
  constructor(
    message: string,
    readonly size: number | undefined,
    readonly limit: number,
  ) {
    super(message);
  }
}

/** The worker answered a request with an `error` frame. */
export class RemoteError extends BridgeError {
  override readonly code = 'BRIDGE_ERR_REMOTE';
  constructor(
    message: string,
    readonly remoteMessage: string,
    readonly traceback?: string,
  ) {
    super(message);
  }
}

export class BridgeTimeoutError extends BridgeError {
  override readonly code = 'BRIDGE_ERR_TIMEOUT';
}

/** The caller aborted the request; a `cancel` was sent and the request settled locally. */
export class CancelledError extends BridgeError {
  override readonly code = 'BRIDGE_ERR_CANCELLED';
}

/** The bridge was closed by its owner. */
export class BridgeClosedError extends BridgeError {
  override readonly code = 'BRIDGE_ERR_CLOSED';
}

/**
 * A setting (an environment variable, an option, a flag) has a value that cannot work: the settings
 * library's error, which every reader of a setting throws. Not a BridgeError (it is nobody's link
 * failure), but passed through as it is wherever the bridge wraps errors.
 */
export { ConfigError } from '@nt/settings';
