import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage } from '@nt/protocol';
import { startFakeWorker, type FakeWorker } from '@nt/test-fixtures';
import { ConfigError, ProtocolError } from './errors.js';
import type { PythonBridgeOptions } from './options.js';
import { WebsocketPythonBridge } from './websocketPythonBridge.js';

// What a hostile or broken worker (or anyone in the middle of a plain ws:// link) can send, and what the
// bridge must not let it do. Each test names the attack.
const TOKEN = 'hostile-suite-token-1c9e';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(token = TOKEN): Promise<FakeWorker> {
  const worker = await startFakeWorker({ token });
  cleanups.push(() => worker.stop());
  return worker;
}

function bridgeFor(worker: FakeWorker, options: Partial<PythonBridgeOptions> = {}) {
  const bridge = new WebsocketPythonBridge({
    wsUrl: worker.url,
    workerToken: TOKEN,
    reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    keepalive: false,
    ...options,
  });
  const warnings: string[] = [];
  bridge.on('warning', (message) => warnings.push(message));
  cleanups.push(() => bridge.close());
  return { bridge, warnings };
}

describe('hostile frames from the worker', () => {
  it.each([
    ['an array header claiming 4 billion entries', Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff), /array length \(4294967295\) > maxArrayLength/],
    ['a string header claiming 100 MB', Uint8Array.of(0xdb, 0x06, 0x40, 0x00, 0x00, 0x61), /byte length \(104857600\) > maxStrLength/],
    ['2,000 levels of nested arrays', Uint8Array.from([...new Array(2000).fill(0x91), 0xc0]), /nests deeper than 128 levels/],
  ])('drops %s without allocating for it, and the connection keeps working', async (_attack, frame, message) => {
    const worker = await fake();
    const { bridge, warnings } = bridgeFor(worker, { maxFrameSize: 1 << 20 });
    await bridge.connect();
    const result = await bridge.execute({ nodeType: 'fake.RawFrames', fields: { frames: [frame] } });
    expect(result.outputs['output']).toBe(1);
    expect(warnings.some((warning) => message.test(warning))).toBe(true);
    expect((await bridge.execute({ nodeType: 'fake.Echo', fields: { value: 'still here' } })).outputs['output']).toBe('still here');
  });

  it('refuses announced result blobs beyond the bytes-in-flight budget across concurrent requests (memory exhaustion)', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker, { maxBlobBytes: 1 << 20, maxBlobBytesInFlight: 1.5 * (1 << 20) });
    await bridge.connect();
    const first = bridge.execute({ nodeType: 'fake.AnnounceBlobs', fields: { sizes: [1 << 20] } }, { timeoutMs: 3_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await bridge
      .execute({ nodeType: 'fake.AnnounceBlobs', fields: { sizes: [1 << 20] } }, { timeoutMs: 3_000 })
      .catch((error: unknown) => error);
    expect(second).toBeInstanceOf(ProtocolError);
    expect((second as Error).message).toMatch(/would put 2097152 bytes \(2\.0 MiB\) of result blobs in flight, above the 1572864 bytes \(1\.5 MiB\) limit/);
    // The first request's reservation is given back when it ends (here: its timeout), so the budget recovers.
    await expect(first).rejects.toThrow(/timed out/);
    const third = bridge.execute({ nodeType: 'fake.AnnounceBlobs', fields: { sizes: [1 << 20] } }, { timeoutMs: 300 });
    await expect(third).rejects.toThrow(/timed out/);
  });

  it('refuses a single announced blob above the per-blob limit', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker, { maxBlobBytes: 1024 });
    await bridge.connect();
    await expect(bridge.execute({ nodeType: 'fake.AnnounceBlobs', fields: { sizes: [4096] } })).rejects.toThrow(
      /blob "blob0" of 4096 bytes exceeds the 1024 bytes blob limit/,
    );
  });

  it('routes a frame with a valid shape but an unknown request id nowhere (no cross-request injection)', async () => {
    const worker = await fake();
    const { bridge } = bridgeFor(worker);
    await bridge.connect();
    const forged = encodeMessage({ type: 'result', request_id: 'not-a-request-of-ours', data: { outputs: { output: 'forged' } } });
    const result = await bridge.execute({ nodeType: 'fake.RawFrames', fields: { frames: [forged] } });
    expect(result.outputs['output']).toBe(1);
  });
});

describe('the worker token from a file', () => {
  it('takes a rotated token at the next reconnect: new file, worker restarted with it, no new bridge', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nt-token-'));
    const file = join(dir, 'worker-token');
    writeFileSync(file, 'first-token-aaaaaaaa\n');
    const worker = await fake('first-token-aaaaaaaa');
    const { bridge } = bridgeFor(worker, { workerToken: undefined, workerTokenFile: file });
    await bridge.connect();
    const reconnected = new Promise((resolve) => bridge.once('reconnected', resolve));
    writeFileSync(file, 'second-token-bbbbbbb\n');
    worker.token = 'second-token-bbbbbbb';
    worker.dropConnections();
    await reconnected;
    expect(worker.authHeaders).toEqual(['Bearer first-token-aaaaaaaa', 'Bearer second-token-bbbbbbb']);
    expect((await bridge.execute({ nodeType: 'fake.Echo', fields: { value: 'rotated' } })).outputs['output']).toBe('rotated');
  });

  it('names the token file when it is missing or empty, and never connects without a token', async () => {
    const worker = await fake();
    const dir = mkdtempSync(join(tmpdir(), 'nt-token-'));
    const missing = bridgeFor(worker, { workerToken: undefined, workerTokenFile: join(dir, 'absent') }).bridge;
    const error = await missing.connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/cannot read NODETOOL_WORKER_TOKEN_FILE .*absent: ENOENT/);
    writeFileSync(join(dir, 'empty'), '\n');
    await expect(bridgeFor(worker, { workerToken: undefined, workerTokenFile: join(dir, 'empty') }).bridge.connect()).rejects.toThrow(
      /NODETOOL_WORKER_TOKEN_FILE .*empty is empty/,
    );
    expect(worker.authHeaders).toEqual([]);
  });
});
