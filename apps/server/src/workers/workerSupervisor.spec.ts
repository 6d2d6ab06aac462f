import { describe, expect, it } from 'vitest';
import type { PythonBridgeOptions } from '@nt/bridge';
import { fakeBridge, WorkerAuthError, WorkerUnreachableError } from '../testing/fakeBridge.js';
import { WorkerSupervisor } from './workerSupervisor.js';

// The server's worker health is a view of the bridge's one connection status; it retries nothing.
function supervised() {
  const bridge = fakeBridge();
  let given: PythonBridgeOptions | null = null;
  const supervisor = new WorkerSupervisor({ wsUrl: 'ws://fake-worker:8787' }, { initialDelayMs: 100, maxDelayMs: 1000 }, (options) => {
    given = options;
    return bridge;
  });
  const changes: string[] = [];
  supervisor.on('status', (health) => changes.push(health.state));
  return { bridge, supervisor, changes, options: () => given! };
}

describe('WorkerSupervisor', () => {
  it('asks the bridge to own every retry, the first connect included, and connects once', async () => {
    const { bridge, supervisor, options } = supervised();
    const started = supervisor.start();
    bridge.connected();
    await started;
    expect(options().reconnect).toMatchObject({ enabled: true, retryFirstConnect: true, initialDelayMs: 100, maxDelayMs: 1000 });
    expect(options().reconnect?.maxAttempts).toBeUndefined();
    expect(bridge.connectCalls).toBe(1);
    await supervisor.stop();
  });

  it('shows a worker that was never reached as unreachable with the next attempt, then connected with its catalog', async () => {
    const { bridge, supervisor } = supervised();
    const started = supervisor.start();
    bridge.retrying(2, new WorkerUnreachableError('Cannot reach the worker at ws://fake-worker:8787: ECONNREFUSED'));
    await started;
    expect(supervisor.status()).toMatchObject({
      state: 'unreachable',
      attempt: 2,
      next_retry_at: '2026-01-01T00:00:02.000Z',
      error: 'Cannot reach the worker at ws://fake-worker:8787: ECONNREFUSED',
      target: 'ws://fake-worker:8787',
    });
    expect(supervisor.bridge).toBeNull();
    bridge.connected();
    expect(supervisor.status()).toMatchObject({ state: 'connected', protocol_version: 6, node_count: 2, namespaces: ['fake'], last_round_trip_ms: 1.25 });
    expect(supervisor.status().attempt).toBeUndefined();
    expect(supervisor.bridge).toBe(bridge);
    await supervisor.stop();
  });

  it('shows a worker that was there and dropped as reconnecting, and a rejected token as token_rejected while retrying', async () => {
    const { bridge, supervisor, changes } = supervised();
    const started = supervisor.start();
    bridge.connected();
    await started;
    bridge.retrying(1, new WorkerUnreachableError('the worker closed the connection (code 1006)'));
    expect(supervisor.status()).toMatchObject({ state: 'reconnecting', attempt: 1 });
    bridge.retrying(2, new WorkerAuthError('ws://fake-worker:8787'), true);
    expect(supervisor.status()).toMatchObject({ state: 'token_rejected', attempt: 2, error: expect.stringMatching(/rejected the token \(HTTP 401\)/) });
    bridge.set({ state: 'failed', tokenRejected: false, lastError: new WorkerUnreachableError('Gave up reconnecting') });
    expect(supervisor.status()).toMatchObject({ state: 'unreachable', error: 'Gave up reconnecting' });
    expect(changes).toEqual(['connecting', 'connected', 'reconnecting', 'token_rejected', 'unreachable']);
    await supervisor.stop();
    expect(bridge.closed).toBe(true);
    expect(supervisor.status().state).toBe('stopped');
  });
});
