import { EventEmitter } from 'node:events';
import { capabilitiesOf, type NodeMetadata, type WorkerStatus } from '@nt/protocol';
import { WorkerAuthError, WorkerUnreachableError, type ConnectionStatus, type PythonBridge } from '@nt/bridge';

/**
 * TEST FIXTURE: a PythonBridge whose connection status the test drives by hand (connected, lost,
 * retrying, token rejected, gave up), for code that only watches the status, as the server's health.
 * Requests are not implemented: calling one is a test bug.
 */
export class FakeBridge extends EventEmitter {
  readonly transport = 'websocket' as const;
  readonly target = 'ws://fake-worker:8787';
  readonly confidential = true;
  connectionStatus: ConnectionStatus = { state: 'idle', tokenRejected: false };
  protocolVersion = 6;
  lastRoundTripMs: number | null = 1.25;
  connectCalls = 0;
  closed = false;
  private nodes: NodeMetadata[] = [{ node_type: 'fake.Echo' }, { node_type: 'fake.Sleep' }];

  get state() {
    return this.connectionStatus.state;
  }

  async connect(): Promise<void> {
    this.connectCalls++;
    this.set({ state: 'connecting', tokenRejected: false });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.set({ state: 'closed', tokenRejected: false });
  }

  /** Moves the fake to a status, as the real bridge's machine would, and tells the listeners. */
  set(status: ConnectionStatus): void {
    const previous = this.connectionStatus.state;
    this.connectionStatus = status;
    this.emit('status', status);
    if (status.state !== previous) this.emit('state', status.state);
  }

  connected(): void {
    this.set({ state: 'connected', tokenRejected: false });
  }

  retrying(attempt: number, error: Error, tokenRejected = false): void {
    this.set({ state: 'reconnecting', attempt, nextRetryAt: Date.UTC(2026, 0, 1, 0, 0, attempt), lastError: error as WorkerUnreachableError, tokenRejected });
  }

  getNodeMetadata(): NodeMetadata[] {
    return this.nodes;
  }

  getWorkerStatus(): WorkerStatus | null {
    return { protocol_version: 6, node_count: 2, namespaces: ['fake'], load_errors: [], transport: 'websocket' };
  }

  getLoadErrors() {
    return [];
  }

  capabilities() {
    return capabilitiesOf(this.getWorkerStatus());
  }

  async status(): Promise<WorkerStatus> {
    return this.getWorkerStatus()!;
  }
}

/** A FakeBridge typed as the interface the code under test takes. */
export function fakeBridge(): FakeBridge & PythonBridge {
  return new FakeBridge() as FakeBridge & PythonBridge;
}

export { WorkerAuthError, WorkerUnreachableError };
