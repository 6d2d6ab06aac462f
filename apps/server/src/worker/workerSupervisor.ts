import { EventEmitter } from 'node:events';
import {
  createPythonBridge,
  fullJitterDelay,
  WorkerAuthError,
  type PythonBridge,
  type PythonBridgeOptions,
} from '@nt/bridge';
import type { LoadError } from '@nt/protocol';

export type WorkerState = 'connecting' | 'connected' | 'reconnecting' | 'token_rejected' | 'unreachable' | 'stopped';

/** What /health and the UI's status panel show about the worker. */
export interface WorkerHealth {
  state: WorkerState;
  transport: 'websocket' | 'stdio' | null;
  target: string | null;
  protocol_version: number | null;
  node_count: number;
  namespaces: string[];
  load_errors: LoadError[];
  last_round_trip_ms: number | null;
  /** While retrying: which attempt comes next and when. */
  attempt?: number;
  next_retry_at?: string;
  error?: string;
}

const STATUS_REFRESH_MS = 15_000;

/**
 * Owns the server's one bridge and keeps it alive. The bridge itself
 * reconnects a WebSocket connection it once had; the supervisor covers the
 * rest: a worker that is down at start-up, a stdio worker that exited, a
 * bridge that gave up. It retries with jittered backoff, forever, and reports
 * every change as a `status` event.
 */
export class WorkerSupervisor extends EventEmitter {
  private current: PythonBridge | null = null;
  private health: WorkerHealth = emptyHealth('connecting');
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private failures = 0;

  constructor(
    private readonly options: PythonBridgeOptions,
    private readonly retry: { initialDelayMs: number; maxDelayMs: number },
    private readonly factory: (options: PythonBridgeOptions) => PythonBridge = createPythonBridge,
  ) {
    super();
  }

  /** The connected bridge, or null while the worker is not available. */
  get bridge(): PythonBridge | null {
    return this.current && this.current.state === 'connected' ? this.current : null;
  }

  status(): WorkerHealth {
    return this.health;
  }

  /** Starts connecting in the background; resolves after the first attempt, whatever its outcome. */
  async start(): Promise<void> {
    await this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    const bridge = this.current;
    this.current = null;
    await bridge?.close();
    this.update(emptyHealth('stopped'));
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    let bridge: PythonBridge;
    try {
      bridge = this.factory({ ...this.options, reconnect: { ...this.options.reconnect, maxAttempts: undefined } });
    } catch (error) {
      // A configuration error (bad URL, bad frame size) will not fix itself: report it and stay down.
      this.update({ ...emptyHealth('unreachable'), error: (error as Error).message });
      return;
    }
    this.update({ ...this.health, state: 'connecting', transport: bridge.transport, target: bridge.target });
    try {
      await bridge.connect();
    } catch (error) {
      await bridge.close();
      this.failures++;
      const delayMs = Math.max(this.retry.initialDelayMs / 2, fullJitterDelay(this.failures, this.retry));
      this.update({
        ...emptyHealth(error instanceof WorkerAuthError ? 'token_rejected' : 'unreachable'),
        transport: bridge.transport,
        target: bridge.target,
        error: (error as Error).message,
        attempt: this.failures + 1,
        next_retry_at: new Date(Date.now() + delayMs).toISOString(),
      });
      this.schedule(delayMs);
      return;
    }
    if (this.stopped) {
      await bridge.close();
      return;
    }
    this.failures = 0;
    this.current = bridge;
    this.watch(bridge);
    this.updateFromBridge(bridge);
  }

  private watch(bridge: PythonBridge): void {
    bridge.on('reconnecting', (info) =>
      this.update({
        ...this.health,
        // A rejected token stays the headline while retrying: it is what the user must fix.
        state: this.health.state === 'token_rejected' ? 'token_rejected' : 'reconnecting',
        attempt: info.attempt,
        next_retry_at: new Date(info.nextRetryAt).toISOString(),
      }),
    );
    bridge.on('disconnected', (cause) => this.update({ ...this.health, state: 'reconnecting', error: cause.message }));
    bridge.on('auth_rejected', (error) => this.update({ ...this.health, state: 'token_rejected', error: error.message }));
    bridge.on('reconnected', () => this.updateFromBridge(bridge));
    bridge.on('state', (state) => {
      // A stdio worker that exited, or a WebSocket bridge that gave up: start over with a new bridge.
      if (state !== 'closed' || this.stopped || this.current !== bridge) return;
      this.current = null;
      this.failures++;
      this.update({ ...this.health, state: 'unreachable', error: 'the worker connection ended' });
      this.schedule(fullJitterDelay(this.failures, this.retry));
    });
    if (!this.refreshTimer) {
      this.refreshTimer = setInterval(() => void this.refresh(), STATUS_REFRESH_MS);
      this.refreshTimer.unref();
    }
  }

  /** Re-reads worker.status now and then, so /health shows a fresh round trip. */
  private async refresh(): Promise<void> {
    const bridge = this.bridge;
    if (!bridge) return;
    try {
      await bridge.status();
      this.updateFromBridge(bridge);
    } catch {
      // A dead connection is reported by the bridge's own events.
    }
  }

  private updateFromBridge(bridge: PythonBridge): void {
    const status = bridge.getWorkerStatus();
    this.update({
      state: 'connected',
      transport: bridge.transport,
      target: bridge.target,
      protocol_version: status?.protocol_version ?? bridge.protocolVersion,
      node_count: bridge.getNodeMetadata().length,
      namespaces: status?.namespaces ?? [],
      load_errors: bridge.getLoadErrors(),
      last_round_trip_ms: bridge.lastRoundTripMs === null ? null : Math.round(bridge.lastRoundTripMs * 100) / 100,
    });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => void this.attempt(), delayMs);
    this.retryTimer.unref();
  }

  private update(health: WorkerHealth): void {
    const changed = JSON.stringify(health) !== JSON.stringify(this.health);
    this.health = health;
    if (changed) this.emit('status', health);
  }
}

function emptyHealth(state: WorkerState): WorkerHealth {
  return { state, transport: null, target: null, protocol_version: null, node_count: 0, namespaces: [], load_errors: [], last_round_trip_ms: null };
}
