import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeMessage } from '@nt/protocol';
import { BridgeTimeoutError, CancelledError, ConnectionClosedError, FrameTooLargeError, NotConnectedError, ProtocolError, RemoteError } from '../errors.js';
import { MemoryTransport } from '../testing/memoryTransport.js';
import { RpcConnection } from './rpcConnection.js';

// The RPC layer alone, over an in-memory transport: the test is the worker. Timers are fake, so a
// 30-second timeout is a function call, not a wait.
const SETTINGS = { maxFrameSize: 4096, maxBlobBytes: 1024, maxBlobBytesInFlight: 1536 };

let worker: MemoryTransport;
let rpc: RpcConnection;
let closed: Error[];
let warnings: string[];

beforeEach(async () => {
  closed = [];
  warnings = [];
  rpc = new RpcConnection(SETTINGS, { onClose: (cause) => closed.push(cause), onWarning: (message) => warnings.push(message) });
  worker = new MemoryTransport(rpc.listener);
  rpc.attach(worker);
  await rpc.open();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('RpcConnection', () => {
  it('sends a typed request and resolves with the checked, typed reply', async () => {
    const reply = rpc.request('status', {}, { timeoutMs: 1000 });
    expect(worker.last('worker.status')).toMatchObject({ type: 'worker.status', data: {} });
    worker.reply('worker.status', { protocol_version: 6, node_count: 1, namespaces: ['x'], load_errors: [], transport: 'websocket' });
    expect((await reply).namespaces).toEqual(['x']);
    expect(rpc.pendingCount).toBe(0);
  });

  it('fails a reply that breaks the contract, naming the request and the field', async () => {
    const reply = rpc.request('status', {}, { timeoutMs: 1000 });
    worker.reply('worker.status', { protocol_version: 'six' });
    await expect(reply).rejects.toThrow(
      new ProtocolError(`the worker's reply to worker.status breaks the contract: the worker.status reply has no number "protocol_version"`),
    );
  });

  it('times out, sends cancel for a cancellable request, and forgets it', async () => {
    vi.useFakeTimers();
    const execute = rpc.request('execute', { node_type: 'x.Slow' }, { subject: 'x.Slow', timeoutMs: 30_000 });
    const id = worker.last('execute').request_id;
    vi.advanceTimersByTime(30_000);
    await expect(execute).rejects.toThrow(new BridgeTimeoutError('execute of x.Slow timed out after 30000 ms; cancel sent to the worker'));
    expect(worker.last('cancel').request_id).toBe(id);
    expect(rpc.pendingCount).toBe(0);
  });

  it('times out a request the worker cannot cancel without sending cancel', async () => {
    vi.useFakeTimers();
    const status = rpc.request('status', {}, { timeoutMs: 50 });
    vi.advanceTimersByTime(50);
    await expect(status).rejects.toBeInstanceOf(BridgeTimeoutError);
    expect(worker.sent.map((envelope) => envelope.type)).toEqual(['worker.status']);
  });

  it('cancels through an AbortSignal, and never sends a request whose signal already aborted', async () => {
    const controller = new AbortController();
    const execute = rpc.request('execute', { node_type: 'x.Slow' }, { subject: 'x.Slow', timeoutMs: 0, signal: controller.signal });
    controller.abort(new Error('user'));
    await expect(execute).rejects.toThrow(new CancelledError('execute of x.Slow was cancelled'));
    expect(worker.sent.map((envelope) => envelope.type)).toEqual(['execute', 'cancel']);
    const aborted = rpc.request('execute', { node_type: 'x.Slow' }, { timeoutMs: 0, signal: controller.signal });
    await expect(aborted).rejects.toThrow(/was cancelled before it was sent/);
    expect(worker.sent).toHaveLength(2);
  });

  it('settles once: a duplicate reply and a late reply after a timeout change nothing', async () => {
    vi.useFakeTimers();
    const first = rpc.request('execute', { node_type: 'x.Echo' }, { timeoutMs: 1000 });
    const id = worker.last('execute').request_id;
    worker.frame('result', id, { outputs: { output: 1 }, blobs: {} });
    worker.frame('result', id, { outputs: { output: 2 }, blobs: {} });
    expect((await first).outputs['output']).toBe(1);
    const second = rpc.request('execute', { node_type: 'x.Echo' }, { timeoutMs: 10 });
    const lateId = worker.last('execute').request_id;
    vi.advanceTimersByTime(10);
    await expect(second).rejects.toBeInstanceOf(BridgeTimeoutError);
    worker.frame('result', lateId, { outputs: { output: 3 }, blobs: {} });
    expect(rpc.pendingCount).toBe(0);
  });

  it('ignores orphan replies (unknown request ids) and unknown frame types', async () => {
    worker.frame('result', 'nobody-asked', { outputs: {} });
    worker.frame('comfy.event', 'nobody-asked', {});
    const execute = rpc.request('execute', { node_type: 'x.Echo' }, { timeoutMs: 1000 });
    worker.frame('mystery', worker.last('execute').request_id, {});
    worker.reply('execute', { outputs: { output: 'ok' }, blobs: {} });
    expect((await execute).outputs['output']).toBe('ok');
  });

  it('turns an error frame into a RemoteError with the traceback, and reports a frame-level error as a warning', async () => {
    const execute = rpc.request('execute', { node_type: 'x.Fail' }, { subject: 'x.Fail', timeoutMs: 1000 });
    worker.frame('error', worker.last('execute').request_id, { error: 'boom', traceback: 'Traceback: here' });
    const error = (await execute.catch((caught: unknown) => caught)) as RemoteError;
    expect(error).toBeInstanceOf(RemoteError);
    expect([error.message, error.traceback]).toEqual(['Worker failed execute of x.Fail: boom', 'Traceback: here']);
    worker.frame('error', null, { error: 'malformed frame' });
    expect(warnings).toEqual(['worker reported an error not tied to any request: malformed frame']);
  });

  it('refuses to send a frame above the ceiling, naming size and limit', async () => {
    const big = rpc.request('execute', { node_type: 'x.Echo', fields: { value: 'x'.repeat(5000) } }, { subject: 'x.Echo', timeoutMs: 1000 });
    await expect(big).rejects.toBeInstanceOf(FrameTooLargeError);
    await expect(big).rejects.toThrow(
      /Cannot send execute of x\.Echo: the frame is \d+ bytes, above the 4096 bytes ceiling \(NODETOOL_BRIDGE_MAX_FRAME_SIZE\)/,
    );
    expect(worker.sent).toEqual([]);
  });

  it('drops an undecodable frame with a warning and stays usable', async () => {
    worker.raw(Uint8Array.of(0xc1));
    worker.raw(encodeMessage([1, 2, 3]));
    expect(warnings).toHaveLength(2);
    const status = rpc.request('status', {}, { timeoutMs: 1000 });
    worker.reply('worker.status', { protocol_version: 6, namespaces: [], load_errors: [] });
    await expect(status).resolves.toMatchObject({ protocol_version: 6 });
  });

  it('fails every request in flight at once when the link drops, naming each, and refuses new ones', async () => {
    const a = rpc.request('execute', { node_type: 'x.A' }, { subject: 'x.A', timeoutMs: 0 });
    const b = rpc.request('execute', { node_type: 'x.B' }, { subject: 'x.B', timeoutMs: 0 });
    worker.drop();
    await expect(a).rejects.toThrow(new ConnectionClosedError('Lost the worker connection (memory://worker) during execute of x.A: the memory link dropped'));
    await expect(b).rejects.toThrow(/during execute of x\.B/);
    expect(closed).toHaveLength(1);
    await expect(rpc.request('status', {}, { timeoutMs: 10 })).rejects.toBeInstanceOf(NotConnectedError);
  });

  it('stops reading from the worker while a sink is behind, and reads on once it caught up', async () => {
    const bytes = Buffer.from('a result bigger than the disk is fast');
    let caughtUp!: () => void;
    const blobSink = {
      open: () => ({
        write: () => new Promise<void>((resolve) => (caughtUp = resolve)),
        close: async () => ({ kept: true }),
        abort: () => undefined,
      }),
    };
    const execute = rpc.request('execute', { node_type: 'x.Blob' }, { timeoutMs: 1000, chunkedBlobs: true, blobSink });
    const id = worker.last('execute').request_id;
    worker.frame('blob.start', id, { name: 'output', size: bytes.length });
    worker.frame('blob.chunk', id, { name: 'output', offset: 0, bytes });
    expect(worker.paused).toBe(true);
    caughtUp();
    await new Promise((resolve) => setImmediate(resolve));
    expect(worker.paused).toBe(false);
    worker.frame('blob.end', id, { name: 'output', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    worker.frame('result', id, { outputs: {}, blobs: {} });
    expect((await execute).blobs['output']).toEqual({ kept: true });
  });

  it('assembles chunked result blobs with their checksum, within the bytes-in-flight budget', async () => {
    const bytes = Buffer.from('hello, blob');
    const execute = rpc.request('execute', { node_type: 'x.Blob' }, { timeoutMs: 1000, chunkedBlobs: true });
    const id = worker.last('execute').request_id;
    worker.frame('blob.start', id, { name: 'output', size: bytes.length });
    worker.frame('blob.chunk', id, { name: 'output', offset: 0, bytes: bytes.subarray(0, 5) });
    worker.frame('blob.chunk', id, { name: 'output', offset: 5, bytes: bytes.subarray(5) });
    worker.frame('blob.end', id, { name: 'output', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    worker.frame('result', id, { outputs: {}, blobs: {} });
    expect(Buffer.from((await execute).blobs['output'] as Uint8Array).toString()).toBe('hello, blob');
    const first = rpc.request('execute', { node_type: 'x.Blob' }, { timeoutMs: 1000, chunkedBlobs: true });
    worker.frame('blob.start', worker.last('execute').request_id, { name: 'a', size: 1000 });
    const second = rpc.request('execute', { node_type: 'x.Blob' }, { timeoutMs: 1000, chunkedBlobs: true });
    worker.frame('blob.start', worker.last('execute').request_id, { name: 'b', size: 1000 });
    await expect(second).rejects.toThrow(/would put 2000 bytes of result blobs in flight, above the 1536 bytes limit/);
    worker.drop();
    await expect(first).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});
