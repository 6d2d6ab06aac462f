import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PythonStdioBridge, WebsocketPythonBridge, type PythonBridge } from '@nt/bridge';
import { fixtureStdioOptions, startFakeWorker, type FakeWorker } from '@nt/test-fixtures';
import { GraphValidationError } from './errors.js';
import type { GraphNode, Workflow } from './graph.js';
import type { RunEvent } from './runEvents.js';
import { runWorkflow } from './runWorkflow.js';

interface WorkerUnderTest {
  bridge: PythonBridge;
  sleep(id: string, seconds: number): GraphNode;
  fail(id: string): GraphNode;
  /** The reasons of every job.end the worker received, when the worker can tell us. */
  jobEnds(): string[] | null;
  stop(): Promise<void>;
}

const workers: Record<string, () => Promise<WorkerUnderTest>> = {
  'the fake worker': async () => {
    const fake: FakeWorker = await startFakeWorker({ token: 'runtime-suite-token-1' });
    const bridge = new WebsocketPythonBridge({ wsUrl: fake.url, workerToken: 'runtime-suite-token-1' });
    await bridge.connect();
    return {
      bridge,
      sleep: (id, seconds) => ({ id, type: 'fake.Sleep', data: { ms: seconds * 1000, steps: 4 } }),
      fail: (id) => ({ id, type: 'fake.Fail', data: { message: 'fixture failure' } }),
      jobEnds: () => fake.received.filter((f) => f.type === 'job.end').map((f) => String(f.data['reason'])),
      stop: async () => (await bridge.close(), await fake.stop()),
    };
  },
  'the real worker': async () => {
    const bridge = new PythonStdioBridge(fixtureStdioOptions());
    await bridge.connect();
    return {
      bridge,
      sleep: (id, seconds) => ({ id, type: 'fixtures.Sleep', data: { seconds, steps: 4 } }),
      fail: (id) => ({ id, type: 'fixtures.Fail', data: { message: 'fixture failure' } }),
      jobEnds: () => null,
      stop: () => bridge.close(),
    };
  },
};

const preview = (id: string, name = id): GraphNode => ({ id, type: 'nodetool.workflows.base_node.Preview', data: { name } });
const comment: GraphNode = { id: 'note', type: 'nodetool.workflows.base_node.Comment', data: { comment: [{ type: 'paragraph', children: [{ text: 'hi' }] }] } };
const link = (source: string, target: string) => ({ source, sourceHandle: 'output', target, targetHandle: 'value' });
const workflow = (nodes: GraphNode[], edges: ReturnType<typeof link>[] = []): Workflow => ({
  id: 'wf-test',
  name: 'test',
  graph: { nodes, edges },
  params: {},
});

describe.each(Object.keys(workers))('runWorkflow against %s', (name) => {
  let worker: WorkerUnderTest;
  beforeAll(async () => {
    worker = await (workers[name] as () => Promise<WorkerUnderTest>)();
  }, 60_000);
  afterAll(() => worker.stop());

  /** job.end must have been sent: the fake logs it; the real worker forgets an ended job. */
  async function expectJobEnded(jobId: string, reason: string) {
    const logged = worker.jobEnds();
    if (logged) expect(logged.at(-1)).toBe(reason);
    else expect(await worker.bridge.endJob({ jobId })).toMatchObject({ known: false });
  }

  it('runs two independent sleeps at the same time (both running before either completes), with a Comment in the graph', async () => {
    const events: RunEvent[] = [];
    const result = await runWorkflow(
      workflow([worker.sleep('s1', 1), worker.sleep('s2', 1), preview('p1'), preview('p2'), comment], [link('s1', 'p1'), link('s2', 'p2')]),
      { bridge: worker.bridge, jobId: `job-ok-${name}`, onEvent: (e) => events.push(e) },
    );
    expect(result.status).toBe('completed');
    // By order, not by stopwatch: the first completion comes after both started, and both made progress in between.
    const updates = events
      .filter((e) => e.type === 'node_update' && (e.node_id === 's1' || e.node_id === 's2'))
      .map((e) => `${(e as { node_id: string }).node_id}:${(e as { status: string }).status}`);
    const firstDone = updates.findIndex((entry) => entry.endsWith(':completed'));
    // A node announces "running" again once its worker is known; the order is what counts.
    expect([...new Set(updates.slice(0, firstDone))].sort()).toEqual(['s1:running', 's2:running']);
    const progressBeforeFirstDone = events.slice(
      0,
      events.findIndex(
        (e) => e.type === 'node_update' && (e as { status: string }).status === 'completed' && /^s[12]$/.test((e as { node_id: string }).node_id),
      ),
    );
    expect(new Set(progressBeforeFirstDone.filter((e) => e.type === 'node_progress').map((e) => (e as { node_id: string }).node_id))).toEqual(
      new Set(['s1', 's2']),
    );
    expect(Object.keys(result.outputs).sort()).toEqual(['p1', 'p2']);
    expect(result.nodes['note']).toBeUndefined();
    expect(events.some((e) => e.type === 'node_progress' && e.node_id === 's1')).toBe(true);
    expect(
      events
        .filter((e) => e.type === 'output_update')
        .map((e) => (e as { node_name: string }).node_name)
        .sort(),
    ).toEqual(['p1', 'p2']);
    expect(events.at(-1)).toMatchObject({ type: 'job_update', status: 'completed' });
    await expectJobEnded(`job-ok-${name}`, 'completed');
  });

  it('stops what depends on a failing node and names it', async () => {
    const result = await runWorkflow(workflow([worker.fail('broken'), preview('shown')], [link('broken', 'shown')]), {
      bridge: worker.bridge,
      jobId: `job-fail-${name}`,
    });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^node "broken" \((fake|fixtures)\.Fail\) failed: Worker failed execute of (fake|fixtures)\.Fail: fixture failure/);
    expect(result.nodes['shown']).toMatchObject({ status: 'skipped', error: 'skipped because node "broken" failed' });
    await expectJobEnded(`job-fail-${name}`, 'failed');
  });

  it('cancels a running workflow through an AbortSignal', async () => {
    const controller = new AbortController();
    // Aborted at its first progress; were the abort ignored, the 20-second sleep would outlast the test's timeout.
    const result = await runWorkflow(workflow([worker.sleep('long', 20), preview('after')], [link('long', 'after')]), {
      bridge: worker.bridge,
      jobId: `job-cancel-${name}`,
      signal: controller.signal,
      onEvent: (event) => event.type === 'node_progress' && event.node_id === 'long' && controller.abort(),
    });
    expect(result.status).toBe('cancelled');
    expect(result.nodes['long']?.status).toBe('cancelled');
    await expectJobEnded(`job-cancel-${name}`, 'cancelled');
  });

  // The fake worker sends no update frames; only the real one can show this.
  it.runIf(name === 'the real worker')('passes the log lines a Python node writes on as log_update events', async () => {
    const events: RunEvent[] = [];
    const result = await runWorkflow(workflow([{ id: 'talk', type: 'fixtures.Log', data: { message: 'careful now' } }]), {
      bridge: worker.bridge,
      onEvent: (e) => events.push(e),
    });
    expect(result.status).toBe('completed');
    expect(events).toContainEqual(expect.objectContaining({ type: 'log_update', node_id: 'talk', content: 'careful now', severity: 'warning' }));
  });

  it('refuses an unknown type before running anything, listing what is offered', async () => {
    const error = await runWorkflow(workflow([{ id: 'x', type: 'nodetool.workflows.base_node.Previw', data: {} }]), { bridge: worker.bridge }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GraphValidationError);
    expect((error as Error).message).toContain(
      'unknown type "nodetool.workflows.base_node.Previw" (node "x"); did you mean "nodetool.workflows.base_node.Preview"?',
    );
  });
});
