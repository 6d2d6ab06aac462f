import { X509Certificate } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificate, startFakeWorker, type FakeWorker } from '@nt/test-fixtures';
import {
  ConfigError,
  BridgeTimeoutError,
  CancelledError,
  ConnectionClosedError,
  FrameTooLargeError,
  NotConnectedError,
  WorkerAuthError,
  WorkerUnreachableError,
} from './errors.js';
import type { PythonBridgeOptions } from './options.js';
import { WebsocketPythonBridge } from './websocketPythonBridge.js';
import { createPythonBridge } from './createPythonBridge.js';
import { normalizeFingerprint, TlsPinMismatchError } from './transport/tlsPin.js';
import { fakeLocator } from './testing/fakeLocator.js';

const TOKEN = 'fixture-token-7f3a9c';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(token: string | null = TOKEN, tls?: { key: string; cert: string }): Promise<FakeWorker> {
  const worker = await startFakeWorker({ token: token ?? undefined, tls });
  cleanups.push(() => worker.stop());
  return worker;
}

/** A bridge whose every event and error is recorded, so tests can assert the token never leaks. */
function bridgeFor(worker: FakeWorker, options: Partial<PythonBridgeOptions> = {}) {
  const bridge = new WebsocketPythonBridge({
    wsUrl: worker.url,
    workerToken: TOKEN,
    reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    // Off unless a test is about it: a 100 ms pong deadline has no place on a loaded machine.
    keepalive: false,
    ...options,
  });
  const events: string[] = [];
  for (const name of ['state', 'connected', 'disconnected', 'reconnecting', 'reconnected', 'auth_rejected', 'reconnect_failed', 'warning'] as const) {
    bridge.on(name, (...args: unknown[]) => events.push(`${name} ${args.map((a) => (a instanceof Error ? a.message : JSON.stringify(a))).join(' ')}`));
  }
  cleanups.push(() => bridge.close());
  return { bridge, events };
}

/** Waits for a condition instead of sleeping a fixed time and hoping it held. */
async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function once(bridge: WebsocketPythonBridge, event: 'reconnected' | 'disconnected' | 'auth_rejected' | 'reconnect_failed'): Promise<unknown> {
  return new Promise((resolve) => bridge.once(event, (...args: unknown[]) => resolve(args[0])));
}

describe('WebsocketPythonBridge against the fake worker', () => {
  it('connects with the token, runs discover and worker.status, and executes', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker);
    await bridge.connect();
    expect(bridge.state).toBe('connected');
    expect(bridge.hasNodeType('fake.Echo')).toBe(true);
    expect(bridge.getWorkerStatus()?.namespaces).toEqual(['fake']);
    expect(bridge.capabilities().jobLifecycle).toBe(true);
    expect(worker.authHeaders).toEqual([`Bearer ${TOKEN}`]);
    const result = await bridge.execute({ nodeType: 'fake.Echo', fields: { value: { n: [1, 2] } }, nodeId: 'n1', jobId: 'j1' });
    expect(result.outputs['output']).toEqual({ n: [1, 2] });
    const execute = worker.received.find((frame) => frame.type === 'execute');
    expect(execute?.data).toEqual({ node_type: 'fake.Echo', fields: { value: { n: [1, 2] } }, node_id: 'n1', job_id: 'j1', blob_transfer: 'chunked-v1' });
  });

  it('asks for chunked result blobs only from workers at protocol 5 or above', async () => {
    const old = await startFakeWorker({ token: TOKEN, protocolVersion: 4 });
    cleanups.push(() => old.stop());
    const { bridge } = bridgeFor(old);
    await bridge.connect();
    await bridge.execute({ nodeType: 'fake.Echo', fields: { value: 1 } });
    expect(old.received.find((frame) => frame.type === 'execute')?.data).toEqual({ node_type: 'fake.Echo', fields: { value: 1 } });
  });

  it('fails fast with WorkerAuthError on a wrong token, and the message holds no token', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker, { workerToken: `${TOKEN}-wrong` });
    // Fast means one attempt: a bridge that retried a rejected token would outlast the test's timeout.
    const error = await bridge.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerAuthError);
    expect((error as WorkerAuthError).code).toBe('BRIDGE_ERR_TOKEN_REJECTED');
    expect((error as Error).message).toMatch(/rejected the token \(HTTP 401\)/);
    expect((error as Error).message).not.toContain(TOKEN);
    expect(worker.authHeaders).toHaveLength(1);
    expect(bridge.state).toBe('idle');
  });

  it('sends no Authorization header when the token is empty', async () => {
    const worker = await fake(null);
    const { bridge } = bridgeFor(worker, { workerToken: '' });
    await bridge.connect();
    expect(worker.authHeaders).toEqual([undefined]);
  });

  it('reports an unreachable worker by URL without hanging', async () => {
    const worker = await fake();
    await worker.stop();
    const { bridge } = bridgeFor(worker);
    await expect(bridge.connect()).rejects.toThrow(WorkerUnreachableError);
    await expect(bridge.connect()).rejects.toThrow(/Cannot reach the worker at ws:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });

  it('rejects every request in flight at once when the connection drops, naming the node type', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker, { reconnect: { enabled: false } });
    await bridge.connect();
    const sleeping = bridge.execute({ nodeType: 'fake.Sleep', fields: { ms: 5_000 } });
    const echoing = bridge.execute({ nodeType: 'fake.Sleep', fields: { ms: 5_000 } });
    await until(() => worker.received.filter((frame) => frame.type === 'execute').length === 2, 'both executes reached the worker');
    worker.dropConnections();
    await expect(sleeping).rejects.toThrow(ConnectionClosedError);
    await expect(echoing).rejects.toThrow(
      /Lost the worker connection \(ws:\/\/127\.0\.0\.1:\d+\) during execute of fake\.Sleep: the worker closed the connection/,
    );
    await expect(bridge.execute({ nodeType: 'fake.Echo' })).rejects.toThrow(NotConnectedError);
  });

  it('notices a frozen worker through the keepalive within seconds', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker, { reconnect: { enabled: false }, keepalive: { intervalMs: 100, timeoutMs: 200 } });
    await bridge.connect();
    const pending = bridge.execute({ nodeType: 'fake.Sleep', fields: { ms: 60_000 } });
    // A frozen worker never pongs, so only the keepalive can end this before the test's timeout.
    worker.freeze();
    await expect(pending).rejects.toThrow(/did not answer a keepalive ping within 200 ms/);
  });

  it('times out an execute, sends cancel for it, and stays usable', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker);
    await bridge.connect();
    const error = await bridge.execute({ nodeType: 'fake.Sleep', fields: { ms: 2_000 } }, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeTimeoutError);
    expect((error as Error).message).toBe('execute of fake.Sleep timed out after 100 ms; cancel sent to the worker');
    await until(() => worker.received.some((frame) => frame.type === 'cancel'), 'the cancel reached the worker');
    const execute = worker.received.find((frame) => frame.type === 'execute');
    expect(worker.received.filter((frame) => frame.type === 'cancel').map((frame) => frame.request_id)).toEqual([execute?.request_id]);
    expect((await bridge.execute({ nodeType: 'fake.Echo', fields: { value: 1 } })).outputs['output']).toBe(1);
  });

  it('cancels through an AbortSignal, and never sends a request whose signal already aborted', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker);
    await bridge.connect();
    const controller = new AbortController();
    const pending = bridge.execute({ nodeType: 'fake.Sleep', fields: { ms: 2_000 } }, { signal: controller.signal });
    await until(() => worker.received.some((frame) => frame.type === 'execute'), 'the execute reached the worker');
    controller.abort();
    await expect(pending).rejects.toThrow(CancelledError);
    await expect(bridge.execute({ nodeType: 'fake.Echo' }, { signal: AbortSignal.abort() })).rejects.toThrow(/cancelled before it was sent/);
    await until(() => worker.received.some((frame) => frame.type === 'cancel'), 'the cancel reached the worker');
    expect(worker.received.map((frame) => frame.type)).toEqual(['discover', 'worker.status', 'execute', 'cancel']);
  });

  it('forwards progress frames of an execute in order', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker);
    await bridge.connect();
    const progress: number[] = [];
    await bridge.execute({ nodeType: 'fake.Sleep', fields: { ms: 60, steps: 3 } }, { onProgress: (p) => progress.push(p.progress) });
    expect(progress).toEqual([1, 2, 3]);
  });

  it('reconnects to a worker that moved to a new port through resolveUrl, re-sending the token', async () => {
    const worker = await fake();
    const { bridge, events } = bridgeFor(worker, { resolveUrl: () => worker.url });
    await bridge.connect();
    const oldPort = worker.port;
    const reconnected = once(bridge, 'reconnected');
    await worker.moveToNewPort();
    await reconnected;
    expect(worker.port).not.toBe(oldPort);
    expect(bridge.target).toBe(`ws://127.0.0.1:${worker.port}`);
    expect(worker.authHeaders).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(worker.received.filter((frame) => frame.type === 'discover')).toHaveLength(2);
    expect((await bridge.execute({ nodeType: 'fake.Echo', fields: { value: 'again' } })).outputs['output']).toBe('again');
    expect(events).toContain('reconnected ');
  });

  it('emits auth_rejected during reconnect, keeps backing off, and recovers once the token matches again', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker);
    await bridge.connect();
    worker.token = 'rotated-on-the-worker';
    const rejected = once(bridge, 'auth_rejected');
    worker.dropConnections();
    expect(await rejected).toBeInstanceOf(WorkerAuthError);
    expect(bridge.state).toBe('reconnecting');
    const reconnected = once(bridge, 'reconnected');
    worker.token = TOKEN;
    await reconnected;
    expect(bridge.state).toBe('connected');
  });

  it('is back within a probe interval of the worker listening again, however long the backoff has grown', async () => {
    const worker = await fake();
    // Every backoff window drawn at its top: without the probe, the next attempt would be ~10 s away.
    const { bridge } = bridgeFor(worker, { reconnect: { initialDelayMs: 10_000, maxDelayMs: 30_000, random: () => 0.999, probeIntervalMs: 50 } });
    await bridge.connect();
    const port = worker.port;
    await worker.stop();
    await until(() => bridge.connectionStatus.state === 'reconnecting' && (bridge.connectionStatus.nextRetryAt ?? 0) - Date.now() > 5_000, 'a long backoff');
    const reconnected = once(bridge, 'reconnected');
    await worker.start(port);
    const listening = Date.now();
    await reconnected;
    expect(Date.now() - listening).toBeLessThan(2_000);
    expect(bridge.state).toBe('connected');
  });

  it('does not retry faster than the backoff when the port answers but refuses (a proxy, a wrong token)', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker, { reconnect: { initialDelayMs: 800, maxDelayMs: 800, random: () => 0.999, probeIntervalMs: 20 } });
    await bridge.connect();
    worker.token = 'rotated-on-the-worker';
    worker.dropConnections();
    await once(bridge, 'auth_rejected');
    const before = worker.rejectedHandshakes;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // 2 s at one attempt per ~0.8 s: two or three handshakes, never one per 20 ms probe.
    expect(worker.rejectedHandshakes - before).toBeLessThanOrEqual(3);
  });

  it('gives up after maxAttempts and says so', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker, { reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 3 } });
    await bridge.connect();
    const failed = once(bridge, 'reconnect_failed');
    await worker.stop();
    expect(String(await failed)).toMatch(/Gave up reconnecting to ws:\/\/127\.0\.0\.1:\d+ after 3 attempt\(s\)/);
    // Sticky: a bridge that gave up stays `failed`; connect() refuses instead of starting over.
    expect(bridge.state).toBe('failed');
    expect(bridge.connectionStatus).toMatchObject({ state: 'failed', lastError: expect.objectContaining({ code: 'BRIDGE_ERR_UNREACHABLE' }) });
    await expect(bridge.connect()).rejects.toThrow(/gave up on ws:\/\/127\.0\.0\.1:\d+; create a new one/);
  });

  it('refuses to send a frame above the ceiling, naming size and limit, and keeps the connection', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker, { maxFrameSize: 4_096 });
    await bridge.connect();
    const error = await bridge.execute({ nodeType: 'fake.Echo', fields: { value: 'x'.repeat(8_000) } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect((error as Error).message).toMatch(/execute of fake\.Echo: the frame is 8\d{3} bytes, above the 4096 bytes ceiling/);
    expect(bridge.state).toBe('connected');
  });

  it('fails a reply above the ceiling with an error naming size and limit, then reconnects', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker, { maxFrameSize: 4_096 });
    await bridge.connect();
    const reconnected = once(bridge, 'reconnected');
    await expect(bridge.execute({ nodeType: 'fake.Bytes', fields: { size: 10_000 } })).rejects.toThrow(
      /during execute of fake\.Bytes: a frame from the worker of 100\d\d bytes exceeds the 4096 bytes ceiling/,
    );
    await reconnected;
  });

  it('never puts the token in an event or error across connect, drop, auth failure and close', async () => {
    const worker = await fake();
    const { bridge, events } = bridgeFor(worker);
    await bridge.connect();
    worker.token = 'other';
    const rejected = once(bridge, 'auth_rejected');
    worker.dropConnections();
    await rejected;
    await bridge.close();
    expect(events.length).toBeGreaterThan(3);
    expect(events.join('\n')).not.toContain(TOKEN);
  });
});

describe('WebsocketPythonBridge over wss://', () => {
  // Trusted by address through a CA setting: the certificate names 127.0.0.1.
  let tls: { key: string; cert: string };
  // The image's self-signed certificate names no address: a rented worker is reached by IP, so the pin identifies it.
  let pinnedTls: { key: string; cert: string };
  let fingerprint: string;
  let keyFile: string;
  let missingFile: string;
  beforeAll(async () => {
    const byAddress = await makeTestCertificate({ commonName: '127.0.0.1' });
    tls = { key: byAddress.key, cert: byAddress.cert };
    const named = await makeTestCertificate();
    pinnedTls = { key: named.key, cert: named.cert };
    fingerprint = named.fingerprint;
    keyFile = named.keyFile;
    missingFile = `${named.dir}/missing.pem`;
  });

  it('connects to a self-signed worker when given its CA', async () => {
    const worker = await fake(TOKEN, tls);
    expect(worker.url).toMatch(/^wss:/);
    const { bridge } = bridgeFor(worker, { ca: tls.cert });
    await bridge.connect();
    expect((await bridge.execute({ nodeType: 'fake.Echo', fields: { value: 'tls' } })).outputs['output']).toBe('tls');
  });

  it('refuses the self-signed worker without the CA', async () => {
    const worker = await fake(TOKEN, tls);
    const { bridge } = bridgeFor(worker);
    await expect(bridge.connect()).rejects.toThrow(/Cannot reach the worker at wss:\/\/127\.0\.0\.1:\d+: self.signed certificate/);
  });

  it('connects to a worker whose certificate has the pinned fingerprint, whatever its name, pasted in any common form', async () => {
    const worker = await fake(TOKEN, pinnedTls);
    for (const pasted of [fingerprint, `sha256:${fingerprint.replace(/:/g, '').toLowerCase()}`]) {
      const { bridge } = bridgeFor(worker, { tlsFingerprint: normalizeFingerprint(pasted) });
      await bridge.connect();
      expect((await bridge.execute({ nodeType: 'fake.Echo', fields: { value: 'pinned' } })).outputs['output']).toBe('pinned');
      await bridge.close();
    }
  });

  it('refuses a certificate with another fingerprint before the token is sent, saying what it saw', async () => {
    const worker = await fake(TOKEN, tls);
    const { bridge } = bridgeFor(worker, { tlsFingerprint: fingerprint });
    const error = await bridge.connect().catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(TlsPinMismatchError);
    expect((error as Error).message).toMatch(new RegExp(`fingerprint ${new X509Certificate(tls.cert).fingerprint256}, not the pinned ${fingerprint}`));
    expect(worker.authHeaders).toEqual([]);
  });

  it('fails plain ws:// to a TLS port cleanly, suggesting wss://', async () => {
    const worker = await fake(TOKEN, pinnedTls);
    const { bridge } = bridgeFor(worker, { wsUrl: worker.url.replace('wss://', 'ws://') });
    await expect(bridge.connect()).rejects.toThrow(
      /Cannot reach the worker at ws:\/\/127\.0\.0\.1:\d+: .*\(does the worker serve TLS on this port\? then use wss:\/\/\)/,
    );
  });

  it('names a bad fingerprint or CA file setting before connecting', () => {
    expect(() => normalizeFingerprint('AB:CD')).toThrow(/NODETOOL_WORKER_TLS_FINGERPRINT must be a SHA-256 fingerprint/);
    expect(() => createPythonBridge({ wsUrl: 'wss://127.0.0.1:1', env: { NODETOOL_WORKER_CA: missingFile } })).toThrow(
      /cannot read the worker CA file .*missing\.pem \(NODETOOL_WORKER_CA\): ENOENT/,
    );
    expect(() => createPythonBridge({ wsUrl: 'wss://127.0.0.1:1', env: { NODETOOL_WORKER_CA: keyFile } })).toThrow(/holds no PEM certificate/);
    expect(createPythonBridge({ wsUrl: 'wss://127.0.0.1:1', env: { NODETOOL_WORKER_TLS_FINGERPRINT: fingerprint.toLowerCase() } })).toBeDefined();
  });
});

describe('WebsocketPythonBridge to a worker named by a host name', () => {
  it('sends the token over plain ws:// once the name resolves to private addresses only (checked in the lookup)', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker, { wsUrl: worker.url.replace('127.0.0.1', 'localhost') });
    await bridge.connect();
    expect(bridge.state).toBe('connected');
    expect(worker.authHeaders).toEqual([`Bearer ${TOKEN}`]);
  });
});

describe('WebsocketPythonBridge to a worker a locator finds', () => {
  it('connects where the locator says the worker is now, and refuses a token bound for a public plain ws:// address it resolves to', async () => {
    const worker = await fake();
    const locator = fakeLocator({ gpu1: worker.url, gpu2: 'ws://203.0.113.7:9' });
    const found = createPythonBridge({ wsUrl: 'cloud://gpu1', workerToken: TOKEN, locator, reconnect: { enabled: false }, keepalive: false });
    cleanups.push(() => found.close());
    await found.connect();
    expect(found.target).toBe(worker.url);

    const exposed = createPythonBridge({ wsUrl: 'cloud://gpu2', workerToken: TOKEN, locator, reconnect: { enabled: false }, keepalive: false });
    cleanups.push(() => exposed.close());
    const refused = await exposed.connect().catch((error: Error) => error);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).setting).toBe('NODETOOL_WORKER_ALLOW_PLAINTEXT');
    expect((refused as Error).message).toMatch(/refusing to send the worker token over plain ws:\/\/ to ws:\/\/203\.0\.113\.7:9/);
    expect((refused as Error).message).not.toContain(TOKEN);
  });
});
