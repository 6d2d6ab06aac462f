import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChunkData } from '@nt/protocol';
import { BridgeTimeoutError, CancelledError } from '../errors.js';
import { RpcConnection } from '../rpc/rpcConnection.js';
import { MemoryTransport } from '../testing/memoryTransport.js';
import { WorkerClient } from './workerClient.js';

// The client's execute.stream over an in-memory transport (the test is the worker), with fake timers:
// a 3-minute silence is a function call.
const TIMEOUTS = { rpcTimeoutMs: 1_000, executeTimeoutMs: 60_000, streamIdleTimeoutMs: 5_000, chunkedBlobs: false };

let worker: MemoryTransport;
let client: WorkerClient;

beforeEach(async () => {
  vi.useFakeTimers();
  const rpc = new RpcConnection(
    { maxFrameSize: 1 << 20, maxBlobBytes: 1 << 20, maxBlobBytesInFlight: 1 << 20 },
    { onClose: () => undefined, onWarning: () => undefined },
  );
  worker = new MemoryTransport(rpc.listener);
  rpc.attach(worker);
  await rpc.open();
  client = new WorkerClient(rpc, TIMEOUTS, () => undefined);
});

afterEach(() => {
  vi.useRealTimers();
});

/** Collects a stream's chunks until it ends, with the error it ended on. */
function consume(stream: AsyncIterable<ChunkData>): { chunks: ChunkData[]; done: Promise<unknown> } {
  const chunks: ChunkData[] = [];
  const done = (async () => {
    for await (const chunk of stream) chunks.push(chunk);
  })().then(
    () => null,
    (error: unknown) => error,
  );
  return { chunks, done };
}

const chunk = (index: number) => ({ outputs: { index }, blobs: {} });

describe('WorkerClient#executeStream', () => {
  it('is never cut while it keeps producing, however long it runs', async () => {
    const { chunks, done } = consume(client.executeStream({ nodeType: 'x.Tokens' }));
    const id = worker.last('execute.stream').request_id;
    // 30 minutes of one item every 4 s: past the execute timeout many times, never silent for 5 s.
    for (let index = 0; index < 450; index++) {
      await vi.advanceTimersByTimeAsync(4_000);
      worker.frame('chunk', id, chunk(index));
    }
    worker.frame('result', id, { outputs: {}, blobs: {} });
    expect(await done).toBeNull();
    expect(chunks).toHaveLength(450);
    expect(worker.sent.some((envelope) => envelope.type === 'cancel')).toBe(false);
  });

  it('is cancelled when silent between frames for longer than the idle limit, saying how long', async () => {
    const { chunks, done } = consume(client.executeStream({ nodeType: 'x.Tokens' }));
    const id = worker.last('execute.stream').request_id;
    worker.frame('chunk', id, chunk(0));
    await vi.advanceTimersByTimeAsync(4_999);
    worker.frame('progress', id, { progress: 1, total: 2, message: null });
    await vi.advanceTimersByTimeAsync(5_000);
    const error = (await done) as Error;
    expect(error).toBeInstanceOf(BridgeTimeoutError);
    expect(error.message).toBe(
      'execute.stream of x.Tokens was silent for 5000 ms after its last frame (NODETOOL_PYTHON_STREAM_IDLE_TIMEOUT_MS); cancel sent to the worker',
    );
    expect(chunks).toHaveLength(1);
    expect(worker.last('cancel').request_id).toBe(id);
  });

  it('waits for its first frame as long as an execute may run (a model may be loading), then no longer', async () => {
    const { done } = consume(client.executeStream({ nodeType: 'x.Loading' }));
    const id = worker.last('execute.stream').request_id;
    await vi.advanceTimersByTimeAsync(59_000);
    expect(worker.sent.some((envelope) => envelope.type === 'cancel')).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(((await done) as Error).message).toBe(
      'execute.stream of x.Loading sent nothing for 60000 ms (NODETOOL_PYTHON_EXECUTE_TIMEOUT_MS); cancel sent to the worker',
    );
    expect(worker.last('cancel').request_id).toBe(id);
  });

  it('sends cancel and ends at once when its signal aborts mid-stream', async () => {
    const controller = new AbortController();
    const { chunks, done } = consume(client.executeStream({ nodeType: 'x.Tokens' }, { signal: controller.signal }));
    const id = worker.last('execute.stream').request_id;
    worker.frame('chunk', id, chunk(0));
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    expect(await done).toBeInstanceOf(CancelledError);
    expect(chunks).toHaveLength(1);
    expect(worker.last('cancel').request_id).toBe(id);
  });
});
