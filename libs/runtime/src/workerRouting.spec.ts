import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ConnectionClosedError, NotConnectedError, type PythonBridge } from '@nt/bridge';
import type { NodeMetadata } from '@nt/protocol';
import { prepareGraph, prepareRun } from './prepareRun.js';
import { runPrepared } from './runWorkflow.js';
import type { WorkerHandle, WorkerRouter } from './workerRouter.js';

const NODE: NodeMetadata = { node_type: 'fake.Work', outputs: [{ name: 'output', type: { type: 'any', optional: false, type_args: [] } }] };

/** A worker whose executes do what the test says: answer, fail as if down, or lose the link mid-run. */
function fakeWorker(name: string, behaviour: 'answers' | 'down' | 'lost') {
  const executed: string[] = [];
  const bridge = Object.assign(new EventEmitter(), {
    target: name,
    confidential: true,
    capabilities: () => ({ modelManagement: false, comfy: false, jobLifecycle: true, modelEviction: true, chunkedBlobs: true, assetOffload: false }),
    getNodeMetadata: () => [NODE],
    endJob: async () => null,
    async execute(request: { nodeId?: string }) {
      executed.push(request.nodeId ?? '?');
      if (behaviour === 'down') throw new NotConnectedError(`not connected to ${name}`);
      if (behaviour === 'lost') throw new ConnectionClosedError(`the connection to ${name} closed`);
      return { outputs: { output: name }, blobs: {} };
    },
  }) as unknown as PythonBridge;
  return { bridge, executed, handle: { bridge, name } as WorkerHandle };
}

/** Home first, then the others, never one the node already tried. */
function router(home: WorkerHandle, ...others: WorkerHandle[]): WorkerRouter {
  return { home, forNode: (_type, avoid) => [home, ...others].find((worker) => !avoid?.has(worker.bridge)) ?? null };
}

async function runOn(workers: WorkerRouter, retryOnWorkerLoss = false) {
  const workflow = { id: 'wf', name: 'wf', params: {}, graph: { nodes: [{ id: 'work', type: 'fake.Work', data: {} }], edges: [] } };
  const prepared = prepareRun(workflow, prepareGraph(workflow), [NODE]);
  return runPrepared(prepared, workers.home.bridge, { router: workers, retryOnWorkerLoss, jobId: 'job' });
}

describe('a node whose worker is gone', () => {
  it('goes to another worker when it could not even be sent (nothing ran), and its record names that worker', async () => {
    const a = fakeWorker('ws://a:1', 'down');
    const b = fakeWorker('ws://b:1', 'answers');
    const result = await runOn(router(a.handle, b.handle));
    expect(result.status).toBe('completed');
    expect(result.nodes['work']).toMatchObject({ status: 'completed', worker: 'ws://b:1', outputs: { output: 'ws://b:1' } });
  });

  it('fails naming its worker when the link was lost while it ran, and is not run again', async () => {
    const a = fakeWorker('ws://a:1', 'lost');
    const b = fakeWorker('ws://b:1', 'answers');
    const result = await runOn(router(a.handle, b.handle));
    expect(result.status).toBe('failed');
    expect(result.nodes['work']?.error).toMatch(/^the worker ws:\/\/a:1 was lost while this node ran .*retry_on_worker_loss/);
    expect(b.executed).toEqual([]);
  });

  it('runs once more on another worker when the run opted in', async () => {
    const a = fakeWorker('ws://a:1', 'lost');
    const b = fakeWorker('ws://b:1', 'answers');
    const result = await runOn(router(a.handle, b.handle), true);
    expect(result.nodes['work']).toMatchObject({ status: 'completed', worker: 'ws://b:1' });
  });

  it('says no worker offers the node when none is left', async () => {
    const a = fakeWorker('ws://a:1', 'down');
    const result = await runOn(router(a.handle));
    expect(result.nodes['work']?.error).toBe('no connected worker offers fake.Work (tried ws://a:1)');
  });
});
