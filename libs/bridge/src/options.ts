import { readSetting } from '@nt/settings';
import { DEFAULT_BACKOFF } from './backoff.js';
import type { WorkerLocator } from './workerLocator.js';

export interface ReconnectOptions {
  /** Reconnect after a lost connection: on by default for a remote worker, off for a local process. */
  enabled?: boolean;
  /** Retry the first connect as well, instead of failing it (a server that starts before its worker). Off by default. */
  retryFirstConnect?: boolean;
  initialDelayMs?: number;
  /** Cap of the backoff window; default 30 s. */
  maxDelayMs?: number;
  /** Give up after this many attempts (default: never). */
  maxAttempts?: number;
  /** Give up this long after the connection dropped (default: never). */
  deadlineMs?: number;
  /** Random source for the jitter; tests pin it. */
  random?: () => number;
  /**
   * While waiting out a backoff for a worker that does not even accept a TCP connection, try a bare
   * TCP connect this often and retry at once when one succeeds (a restarted worker is back within
   * about this long, whatever the backoff had grown to). Default 500 ms; 0 turns it off. Nothing
   * but the backoff paces retries while the port accepts connections (a proxy, a worker that
   * rejects the token), so such a worker is never hammered.
   */
  probeIntervalMs?: number;
}

export interface KeepaliveOptions {
  /** How often to ping the worker; default 5 s. */
  intervalMs?: number;
  /** How long a pong may take before the connection is declared dead; default 5 s. */
  timeoutMs?: number;
}

export interface PythonBridgeOptions {
  /**
   * A remote worker (`ws://`, `wss://`, or a URL `locator` handles); falls back to NODETOOL_WORKER_URL.
   * Set means WebSocket, unset means stdio.
   */
  wsUrl?: string;
  /** Finds workers named by a cloud instance (`@nt/providers`' providerLocator); the bridge knows no provider itself. */
  locator?: WorkerLocator;
  /**
   * Let the token go over plain ws:// to a public address (falls back to NODETOOL_WORKER_ALLOW_PLAINTEXT).
   * Off by default: such a connection is refused before anything is sent. Private addresses (loopback,
   * RFC 1918, RFC 4193, 100.64.0.0/10) never need it.
   */
  allowPlaintext?: boolean;
  /** Bearer token; falls back to NODETOOL_WORKER_TOKEN. Empty means none. */
  workerToken?: string;
  /**
   * A file holding the bearer token (falls back to NODETOOL_WORKER_TOKEN_FILE). Read again before every
   * connect and reconnect, so a rotated token (new file on both ends, worker restarted) needs no restart here.
   */
  workerTokenFile?: string;
  /**
   * Awaited before every connect and reconnect attempt (`connect`), and by the outage probe (`probe`):
   * returns the worker's current URL (a cloud instance may have moved). A probe may be answered from a
   * cache; an attempt should ask afresh.
   */
  resolveUrl?: (purpose: 'connect' | 'probe') => string | Promise<string>;
  /** Extra CA certificate(s) (PEM) trusted for `wss://`, for a self-signed worker; falls back to the file NODETOOL_WORKER_CA names. */
  ca?: string | Buffer | Array<string | Buffer>;
  /**
   * For wss://: trust exactly the worker certificate with this SHA-256 fingerprint (a self-signed one the
   * image logged at start), checked before the token is sent on every connect. Falls back to
   * NODETOOL_WORKER_TLS_FINGERPRINT.
   */
  tlsFingerprint?: string;
  /** For `wss://` to an address (a worker found by DNS): the name its certificate must carry. */
  tlsServername?: string;
  /** stdio: the interpreter; falls back to NODETOOL_PYTHON, then the project's worker environment, then python3. */
  pythonPath?: string;
  /** stdio: extra arguments after `-m nodetool.worker --stdio`, e.g. `--namespaces`. */
  workerArgs?: string[];
  /** stdio: extra environment for the child. */
  workerEnv?: Record<string, string>;
  /** WebSocket handshake limit; default 20 s. */
  openTimeoutMs?: number;
  /** stdio: wait for the readiness marker; default 60 s. */
  startupTimeoutMs?: number;
  /** stdio: a frame that stops arriving half-way for this long means the worker is stuck; default 30 s. */
  frameStallTimeoutMs?: number;
  /** discover and worker.status; default 30 s. */
  rpcTimeoutMs?: number;
  /** execute; default 12 min, 0 turns it off. Also a stream's wait for its first frame. */
  executeTimeoutMs?: number;
  /** execute.stream after its first frame: the longest silence between two frames; default 3 min, 0 turns it off. */
  streamIdleTimeoutMs?: number;
  /** Frame ceiling both ways; falls back to NODETOOL_BRIDGE_MAX_FRAME_SIZE, then 256 MiB. */
  maxFrameSize?: number;
  /** Take result blobs in chunked, checksummed frames from workers that offer it (protocol 5); default true. */
  chunkedBlobs?: boolean;
  /** Largest single result blob accepted in chunks; default 2 GiB. */
  maxBlobBytes?: number;
  /** All result blobs being assembled at once, across requests; default 2 GiB. */
  maxBlobBytesInFlight?: number;
  reconnect?: ReconnectOptions;
  /** WebSocket ping/pong liveness check; false turns it off. */
  keepalive?: KeepaliveOptions | false;
  /** Environment to read fallbacks from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Options with every default applied; what the bridges actually run on. */
export interface BridgeSettings {
  openTimeoutMs: number;
  startupTimeoutMs: number;
  frameStallTimeoutMs: number;
  rpcTimeoutMs: number;
  executeTimeoutMs: number;
  streamIdleTimeoutMs: number;
  maxFrameSize: number;
  chunkedBlobs: boolean;
  maxBlobBytes: number;
  maxBlobBytesInFlight: number;
  reconnect: Required<Omit<ReconnectOptions, 'maxAttempts' | 'deadlineMs'>> & Pick<ReconnectOptions, 'maxAttempts' | 'deadlineMs'>;
  keepalive: Required<KeepaliveOptions> | false;
}

export function resolveSettings(options: PythonBridgeOptions, reconnectByDefault = true): BridgeSettings {
  const env = options.env ?? process.env;
  const maxFrameSize = options.maxFrameSize ?? readSetting(env, 'NODETOOL_BRIDGE_MAX_FRAME_SIZE');
  return {
    openTimeoutMs: options.openTimeoutMs ?? 20_000,
    startupTimeoutMs: options.startupTimeoutMs ?? 60_000,
    frameStallTimeoutMs: options.frameStallTimeoutMs ?? 30_000,
    rpcTimeoutMs: options.rpcTimeoutMs ?? 30_000,
    executeTimeoutMs: options.executeTimeoutMs ?? readSetting(env, 'NODETOOL_PYTHON_EXECUTE_TIMEOUT_MS'),
    streamIdleTimeoutMs: options.streamIdleTimeoutMs ?? readSetting(env, 'NODETOOL_PYTHON_STREAM_IDLE_TIMEOUT_MS'),
    maxFrameSize,
    chunkedBlobs: options.chunkedBlobs ?? true,
    maxBlobBytes: options.maxBlobBytes ?? 2 * 1024 ** 3,
    maxBlobBytesInFlight: options.maxBlobBytesInFlight ?? 2 * 1024 ** 3,
    reconnect: {
      enabled: options.reconnect?.enabled ?? reconnectByDefault,
      retryFirstConnect: options.reconnect?.retryFirstConnect ?? false,
      initialDelayMs: options.reconnect?.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
      maxDelayMs: options.reconnect?.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
      maxAttempts: options.reconnect?.maxAttempts,
      deadlineMs: options.reconnect?.deadlineMs,
      random: options.reconnect?.random ?? Math.random,
      probeIntervalMs: options.reconnect?.probeIntervalMs ?? 500,
    },
    keepalive: options.keepalive === false ? false : { intervalMs: options.keepalive?.intervalMs ?? 5_000, timeoutMs: options.keepalive?.timeoutMs ?? 5_000 },
  };
}

/** A strict whole number of milliseconds (0 allowed: off); anything else names the setting. */
