import { EventEmitter } from 'node:events';
import { createPythonBridge, type ConnectionStatus, type PythonBridge, type PythonBridgeOptions } from '@nt/bridge';
import type { WorkerHealth } from '@nt/api-contract';

export type { WorkerHealth, WorkerState } from '@nt/api-contract';

const STATUS_REFRESH_MS = 15_000;

/**
 * The server's side of its worker: one bridge that owns connecting and reconnecting (the first connect
 * included: the server may start before its worker), and the health view /health and the UI show,
 * derived from the bridge's one connection status. It retries nothing itself.
 */
export class WorkerSupervisor extends EventEmitter {
  private current: PythonBridge | null = null;
  private health: WorkerHealth = emptyHealth('connecting');
  private everConnected = false;
  private refreshTimer: NodeJS.Timeout | null = null;
  /** How many times the worker came back after it had been connected (for /metrics). */
  reconnects = 0;
  private wasConnected = false;

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

  /** The bridge in whatever state, for what must follow it across reconnects (the model keep-alive). */
  get connection(): PythonBridge | null {
    return this.current;
  }

  status(): WorkerHealth {
    return this.health;
  }

  /** Starts connecting; resolves after the first attempt, whatever its outcome (the bridge keeps trying). */
  async start(): Promise<void> {
    const bridge = this.factory({
      ...this.options,
      reconnect: { ...this.options.reconnect, enabled: true, retryFirstConnect: true, maxAttempts: undefined, deadlineMs: undefined, ...this.retry },
    });
    this.current = bridge;
    bridge.on('status', (status) => this.follow(bridge, status));
    this.follow(bridge, bridge.connectionStatus);
    const firstAttempt = new Promise<void>((resolve) => {
      const settle = (status: ConnectionStatus) => {
        if (status.state === 'connecting') return;
        bridge.off('status', settle);
        resolve();
      };
      bridge.on('status', settle);
    });
    bridge.connect().catch(() => undefined);
    this.refreshTimer = setInterval(() => void this.refresh(), STATUS_REFRESH_MS);
    this.refreshTimer.unref();
    await firstAttempt;
  }

  async stop(): Promise<void> {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    const bridge = this.current;
    this.current = null;
    await bridge?.close();
    this.update(emptyHealth('stopped'));
  }

  private follow(bridge: PythonBridge, status: ConnectionStatus): void {
    const connected = status.state === 'connected';
    if (connected && !this.wasConnected && this.everConnected) this.reconnects++;
    this.wasConnected = connected;
    if (connected) this.everConnected = true;
    this.update(healthOf(bridge, status, this.everConnected));
  }

  /** Re-reads worker.status now and then, so /health shows a fresh round trip. */
  private async refresh(): Promise<void> {
    const bridge = this.bridge;
    if (!bridge) return;
    try {
      await bridge.status();
      this.follow(bridge, bridge.connectionStatus);
    } catch {
      // A dead connection shows in the bridge's status.
    }
  }

  private update(health: WorkerHealth): void {
    const changed = JSON.stringify(health) !== JSON.stringify(this.health);
    this.health = health;
    if (changed) this.emit('status', health);
  }
}

/**
 * The health view of a connection status. While retrying, a rejected token is the headline (it is what
 * the user must fix); a worker never reached yet is `unreachable`, one that was there `reconnecting`.
 */
export function healthOf(bridge: PythonBridge, status: ConnectionStatus, everConnected: boolean): WorkerHealth {
  const base = { ...emptyHealth('connecting'), transport: bridge.transport, target: bridge.target };
  const retrying = status.attempt !== undefined ? { attempt: status.attempt, next_retry_at: new Date(status.nextRetryAt ?? Date.now()).toISOString() } : {};
  const error = status.lastError ? { error: status.lastError.message } : {};
  switch (status.state) {
    case 'connected': {
      const worker = bridge.getWorkerStatus();
      return {
        ...base,
        state: 'connected',
        protocol_version: worker?.protocol_version ?? bridge.protocolVersion,
        node_count: bridge.getNodeMetadata().length,
        namespaces: worker?.namespaces ?? [],
        load_errors: bridge.getLoadErrors(),
        last_round_trip_ms: bridge.lastRoundTripMs === null ? null : Math.round(bridge.lastRoundTripMs * 100) / 100,
      };
    }
    case 'reconnecting':
      return { ...base, state: status.tokenRejected ? 'token_rejected' : everConnected ? 'reconnecting' : 'unreachable', ...retrying, ...error };
    case 'failed':
      return { ...base, state: status.tokenRejected ? 'token_rejected' : 'unreachable', ...error };
    case 'closed':
      return { ...emptyHealth('stopped') };
    default:
      return { ...base, state: 'connecting', ...error };
  }
}

function emptyHealth(state: WorkerHealth['state']): WorkerHealth {
  return { state, transport: null, target: null, protocol_version: null, node_count: 0, namespaces: [], load_errors: [], last_round_trip_ms: null };
}
