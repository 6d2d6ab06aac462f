import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_NODE_TYPES, FIXTURE_WORKER_ENV, fixtureStdioOptions, spawnRealWorker, type RealWorker } from '@nt/test-fixtures';
import { PINNED_NODETOOL_CORE_VERSION } from '@nt/protocol';
import { CancelledError, ConnectionClosedError, FrameTooLargeError, ProtocolError, RemoteError, WorkerAuthError } from './errors.js';
import type { PythonBridge } from './pythonBridge.js';
import { PythonStdioBridge } from './pythonStdioBridge.js';
import { WebsocketPythonBridge } from './websocketPythonBridge.js';

/**
 * The bridge against the released nodetool-core worker (pinned in
 * apps/worker/requirements/core.txt) with the test fixture nodes installed.
 */
const TOKEN = 'real-worker-token-4b1d';
/** The environment may also hold the HuggingFace pack; these suites speak to the fixtures only. */
const FIXTURES_ONLY = fixtureStdioOptions();

/** Lays a model into the fixture worker's HuggingFace cache as huggingface_hub does: a blob, a snapshot link to it, a ref. */
function seedCachedModel(repoId: string, config: string): void {
  const repo = join(FIXTURE_WORKER_ENV['HF_HOME'] as string, 'hub', `models--${repoId.replace('/', '--')}`);
  const revision = 'a'.repeat(40);
  const blob = createHash('sha256').update(config).digest('hex');
  mkdirSync(join(repo, 'blobs'), { recursive: true });
  mkdirSync(join(repo, 'snapshots', revision), { recursive: true });
  mkdirSync(join(repo, 'refs'), { recursive: true });
  writeFileSync(join(repo, 'blobs', blob), config);
  if (!existsSync(join(repo, 'snapshots', revision, 'config.json')))
    symlinkSync(join('..', '..', 'blobs', blob), join(repo, 'snapshots', revision, 'config.json'));
  writeFileSync(join(repo, 'refs', 'main'), revision);
}

const transports = {
  websocket: async () => {
    const worker = await spawnRealWorker({ token: TOKEN });
    const bridge = new WebsocketPythonBridge({ wsUrl: worker.url, workerToken: TOKEN });
    return {
      bridge,
      stop: async () => {
        await bridge.close();
        await worker.kill();
      },
    };
  },
  stdio: async () => {
    const bridge = new PythonStdioBridge(FIXTURES_ONLY);
    return { bridge, stop: () => bridge.close() };
  },
};

describe.each(Object.keys(transports) as Array<keyof typeof transports>)('PythonBridge over %s against the real worker', (transport) => {
  let bridge: PythonBridge;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ bridge, stop } = await transports[transport]());
    await bridge.connect();
  }, 60_000);
  afterAll(() => stop());

  it(`discovers the fixture nodes and reads worker.status (nodetool-core ${PINNED_NODETOOL_CORE_VERSION})`, () => {
    expect(
      bridge
        .getNodeMetadata()
        .map((node) => node.node_type)
        .sort(),
    ).toEqual(FIXTURE_NODE_TYPES);
    const status = bridge.getWorkerStatus();
    expect(status).toMatchObject({ protocol_version: 6, node_count: FIXTURE_NODE_TYPES.length, namespaces: ['fixtures'], transport });
    expect(bridge.protocolVersion).toBe(6);
    expect(bridge.capabilities()).toMatchObject({ modelManagement: true, jobLifecycle: true, comfy: false });
    expect(bridge.lastRoundTripMs).toBeGreaterThan(0);
  });

  it('round-trips values of every msgpack kind through Echo', async () => {
    const value = { text: 'naïve ✓', int: 2 ** 40, negative: -7, float: 0.25, yes: true, none: null, list: [1, 'a', [2]], nested: { k: 'v' } };
    const result = await bridge.execute({ nodeType: 'fixtures.Echo', fields: { value }, nodeId: 'echo-1', jobId: 'job-echo' });
    expect(result).toEqual({ outputs: { output: value }, blobs: {} });
  });

  it('delivers progress frames before the result of Sleep', async () => {
    const progress: Array<[number, number]> = [];
    const result = await bridge.execute(
      { nodeType: 'fixtures.Sleep', fields: { seconds: 0.3, steps: 3 } },
      { onProgress: (p) => progress.push([p.progress, p.total]) },
    );
    expect(result.outputs['output']).toBe(0.3);
    expect(progress).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it('sends 1 MiB of bytes as a blob and gets the same bytes back', async () => {
    const data = randomBytes(1024 * 1024);
    const result = await bridge.execute({ nodeType: 'fixtures.BytesEcho', blobs: { data } });
    expect(Buffer.compare(result.outputs['output'] as Uint8Array, data)).toBe(0);
  });

  it('receives a 3 MiB binary result', async () => {
    const result = await bridge.execute({ nodeType: 'fixtures.MakeBytes', fields: { size: 3 * 1024 * 1024 } });
    const bytes = result.outputs['output'] as Uint8Array;
    expect(bytes.byteLength).toBe(3 * 1024 * 1024);
    expect([bytes[0], bytes[255], bytes[256], bytes[bytes.length - 1]]).toEqual([0, 255, 0, (3 * 1024 * 1024 - 1) % 256]);
  });

  it('streams chunks from a streaming node', async () => {
    const indices: unknown[] = [];
    for await (const chunk of bridge.executeStream({ nodeType: 'fixtures.Count', fields: { count: 4 } })) indices.push(chunk.outputs['index']);
    expect(indices).toEqual([0, 1, 2, 3]);
  });

  it('stops a stream the consumer abandons', async () => {
    const seen: unknown[] = [];
    for await (const chunk of bridge.executeStream({ nodeType: 'fixtures.Count', fields: { count: 50, delay: 0.05 } })) {
      seen.push(chunk.outputs['index']);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([0, 1]);
    expect((await bridge.execute({ nodeType: 'fixtures.Echo', fields: { value: 'still fine' } })).outputs['output']).toBe('still fine');
  });

  it('rejects a failing node with the remote message and traceback', async () => {
    const error = await bridge.execute({ nodeType: 'fixtures.Fail', fields: { message: 'fixture says no' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).message).toBe('Worker failed execute of fixtures.Fail: fixture says no');
    expect((error as RemoteError).traceback).toMatch(/RuntimeError: fixture says no/);
  });

  it('rejects an unknown node type by name', async () => {
    await expect(bridge.execute({ nodeType: 'fixtures.Nope' })).rejects.toThrow(/Unknown node type: fixtures\.Nope/);
  });

  it('cancels a running node through an AbortSignal and keeps serving', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);
    await expect(bridge.execute({ nodeType: 'fixtures.Sleep', fields: { seconds: 10, steps: 100 } }, { signal: controller.signal })).rejects.toThrow(
      CancelledError,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await bridge.execute({ nodeType: 'fixtures.Echo', fields: { value: 1 } })).outputs['output']).toBe(1);
  });

  it('brackets a run with job.start and job.end, which releases the job', async () => {
    await bridge.startJob({ jobId: `job-${transport}`, workflowId: 'wf-1' });
    await bridge.execute({ nodeType: 'fixtures.Echo', fields: { value: 1 }, nodeId: 'n-1', jobId: `job-${transport}` });
    expect(await bridge.endJob({ jobId: `job-${transport}`, reason: 'completed' })).toMatchObject({ job_id: `job-${transport}`, known: true });
    expect(await bridge.endJob({ jobId: `job-${transport}` })).toMatchObject({ known: false, released_nodes: [] });
  });

  it('takes a 5 MiB result blob in checksummed chunks under a 2 MiB frame ceiling (protocol 5)', async () => {
    const small =
      transport === 'stdio'
        ? new PythonStdioBridge({ ...FIXTURES_ONLY, maxFrameSize: 2 * 1024 * 1024 })
        : new WebsocketPythonBridge({ wsUrl: (bridge as WebsocketPythonBridge).target, workerToken: TOKEN, maxFrameSize: 2 * 1024 * 1024 });
    await small.connect();
    try {
      const size = 5 * 1024 * 1024;
      const result = await small.execute({ nodeType: 'fixtures.MakeBlob', fields: { size } });
      const blob = result.blobs['output'] as Uint8Array;
      expect(blob.byteLength).toBe(size);
      expect([blob[0], blob[255], blob[256], blob[size - 1]]).toEqual([0, 255, 0, (size - 1) % 256]);
    } finally {
      await small.close();
    }
  });

  it("lists a model laid into the worker's cache, with its size (models.list_cached, protocol 2)", async () => {
    seedCachedModel('nodetool-test/tiny-model', '{"model_type": "bert", "architectures": ["BertModel"]}');
    const models = await bridge.listCachedModels();
    expect(models).toEqual(expect.arrayContaining([expect.objectContaining({ repo_id: 'nodetool-test/tiny-model', downloaded: true })]));
    expect(models.find((model) => model.repo_id === 'nodetool-test/tiny-model')?.size_on_disk).toBeGreaterThan(0);
  });

  it('asks the worker to evict by job, and gets its answer for a job it does not know (protocol 4)', async () => {
    // The gate is open, so this is the worker's reply, not the bridge's below-protocol-4 shortcut.
    expect(bridge.capabilities().modelEviction).toBe(true);
    expect(await bridge.evictModels({ job_id: 'no-such-job' })).toEqual({ evicted: [] });
  });

  it('fails a model download the worker cannot do (no hub here) with the worker message', async () => {
    await expect(bridge.downloadModel({ repo_id: 'nodetool-test/definitely-not-a-repo' }, { idleTimeoutMs: 60_000 })).rejects.toThrow(
      /Worker failed models\.download of nodetool-test\/definitely-not-a-repo/,
    );
  }, 90_000);

  it('refuses to send a frame above its ceiling without losing the connection', async () => {
    const small = transport === 'stdio' ? new PythonStdioBridge({ ...FIXTURES_ONLY, maxFrameSize: 64 * 1024 }) : null;
    const target = small ?? bridge;
    if (small) await small.connect();
    try {
      const big = transport === 'stdio' ? 100_000 : 300 * 1024 * 1024;
      const error = await target.execute({ nodeType: 'fixtures.BytesEcho', blobs: { data: new Uint8Array(big) } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FrameTooLargeError);
      expect((await target.execute({ nodeType: 'fixtures.Echo', fields: { value: 2 } })).outputs['output']).toBe(2);
    } finally {
      await small?.close();
    }
  });
});

describe('WebsocketPythonBridge against a real worker that dies and comes back', () => {
  let worker: RealWorker;
  beforeAll(async () => {
    worker = await spawnRealWorker({ token: TOKEN });
  }, 60_000);
  afterAll(() => worker.kill());

  it('without chunked blobs, fails a result above the frame ceiling with an error naming the limit', async () => {
    const bridge = new WebsocketPythonBridge({
      wsUrl: worker.url,
      workerToken: TOKEN,
      maxFrameSize: 2 * 1024 * 1024,
      chunkedBlobs: false,
      reconnect: { enabled: false },
    });
    await bridge.connect();
    try {
      await expect(bridge.execute({ nodeType: 'fixtures.MakeBlob', fields: { size: 5 * 1024 * 1024 } })).rejects.toThrow(
        /during execute of fixtures\.MakeBlob: a frame from the worker of 5\d{6} bytes \(5\.0 MiB\) exceeds the 2097152 bytes \(2\.0 MiB\) ceiling/,
      );
    } finally {
      await bridge.close();
    }
  });

  it('fails fast on a wrong token, naming no token', async () => {
    const bridge = new WebsocketPythonBridge({ wsUrl: worker.url, workerToken: 'not-the-token' });
    const error = await bridge.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerAuthError);
    expect(String(error)).not.toContain('not-the-token');
  });

  it('rejects the node in flight when the worker is killed, reconnects after a restart and executes again', async () => {
    const bridge = new WebsocketPythonBridge({
      wsUrl: worker.url,
      workerToken: TOKEN,
      reconnect: { initialDelayMs: 200, maxDelayMs: 1_000 },
    });
    try {
      await bridge.connect();
      const inFlight = bridge.execute({ nodeType: 'fixtures.Sleep', fields: { seconds: 30 } });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const port = worker.port;
      const reconnected = new Promise((resolve) => bridge.once('reconnected', resolve));
      await worker.kill();
      await expect(inFlight).rejects.toThrow(ConnectionClosedError);
      await expect(inFlight).rejects.toThrow(/during execute of fixtures\.Sleep/);
      worker = await spawnRealWorker({ token: TOKEN, port });
      await reconnected;
      expect(bridge.state).toBe('connected');
      expect((await bridge.execute({ nodeType: 'fixtures.Echo', fields: { value: 'back' } })).outputs['output']).toBe('back');
    } finally {
      await bridge.close();
    }
  }, 60_000);
});

describe('PythonStdioBridge when the child dies', () => {
  it('rejects everything pending and quotes the stderr tail', async () => {
    const bridge = new PythonStdioBridge(FIXTURES_ONLY);
    await bridge.connect();
    const pending = bridge.execute({ nodeType: 'fixtures.Sleep', fields: { seconds: 30 } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(bridge.pid as number, 'SIGKILL');
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).message).toMatch(/The stdio worker was killed by SIGKILL during execute of fixtures\.Sleep/);
    expect((error as Error).message).toMatch(/worker stderr \(last lines\)[\s\S]*NODETOOL_STDIO_READY/);
    await bridge.close();
  }, 30_000);

  it('reports a missing interpreter clearly', async () => {
    const bridge = new PythonStdioBridge({ pythonPath: '/nonexistent/python3' });
    await expect(bridge.connect()).rejects.toThrow(/Cannot start the stdio worker with \/nonexistent\/python3 \(option\)/);
  });
});

describe('a stdio worker that stops in the middle of a frame (a hung write, bytes lost on the pipe)', () => {
  it('is caught by the stall timeout: the request fails naming the stall, and the worker process is stopped', async () => {
    const bridge = new PythonStdioBridge({ ...FIXTURES_ONLY, frameStallTimeoutMs: 500 });
    await bridge.connect();
    const pid = bridge.pid as number;
    const failed = new Promise<void>((resolve) => bridge.on('state', (state) => state === 'failed' && resolve()));
    const error = await bridge
      .execute({ nodeType: 'fixtures.StallMidFrame', fields: { declared: 1000, sent: 10, seconds: 600 } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/stopped in the middle of a frame \(10 of its 1000 bytes arrived, then nothing for 500 ms\); it is stopped/);
    await failed;
    expect(() => process.kill(pid, 0)).toThrow();
    await bridge.close();
  }, 60_000);
});
