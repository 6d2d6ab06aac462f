import { FIXTURE_NODE_TYPES } from '@nt/test-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edge, node, startTestServer, waitForWorker, wsClient } from './testing/testServer.js';
import type { RunningServer } from './server.js';

describe('WS /ws', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
    await waitForWorker(server);
  }, 60_000);
  afterAll(() => server.close());

  it('greets a client with the worker status', async () => {
    const client = await wsClient(server);
    expect(await client.waitFor((m) => m.type === 'worker_status')).toMatchObject({ state: 'connected', node_count: FIXTURE_NODE_TYPES.length });
    client.close();
  });

  it('sends the events of a run in order: job running, nodes, progress, outputs, job completed', async () => {
    const client = await wsClient(server);
    const graph = {
      nodes: [node('nap', 'fixtures.Sleep', { seconds: 0.2, steps: 2 }), node('p', 'nodetool.workflows.base_node.Preview', { name: 'slept' })],
      edges: [edge('nap', 'p')],
    };
    client.send({ command: 'run_job', data: { graph, job_id: 'ws-order' }, request_id: 'r1' });
    expect(await client.waitFor((m) => m.type === 'job_started')).toEqual({ type: 'job_started', job_id: 'ws-order', request_id: 'r1' });
    await client.waitFor((m) => m.type === 'job_update' && m.status === 'completed');
    const sequence = client.messages
      .filter((m) => m.job_id === 'ws-order' && m.type !== 'job_started')
      .map((m) => `${m.type}:${m.node_id ?? ''}:${m.status ?? m.progress ?? m.node_name ?? ''}`);
    expect(sequence).toEqual([
      'job_update::running',
      'node_update:nap:running',
      'node_progress:nap:1',
      'node_progress:nap:2',
      'node_update:nap:completed',
      'node_update:p:running',
      'output_update:p:slept',
      'node_update:p:completed',
      'job_update::completed',
    ]);
    const done = client.messages.find((m) => m.type === 'job_update' && m.status === 'completed');
    expect(done).toMatchObject({ workflow_id: 'workflow', outputs: { slept: 0.2 } });
    client.close();
  });

  it('cancels a run through cancel_job', async () => {
    const client = await wsClient(server);
    client.send({
      command: 'run_job',
      data: { graph: { nodes: [node('long', 'fixtures.Sleep', { seconds: 30, steps: 300 })], edges: [] }, job_id: 'ws-cancel' },
    });
    await client.waitFor((m) => m.type === 'node_progress' && m.job_id === 'ws-cancel');
    client.send({ command: 'cancel_job', data: { job_id: 'ws-cancel' } });
    expect(await client.waitFor((m) => m.type === 'cancel_result')).toMatchObject({ job_id: 'ws-cancel', cancelled: true });
    expect(await client.waitFor((m) => m.type === 'job_update' && m.job_id === 'ws-cancel' && m.status !== 'running')).toMatchObject({ status: 'cancelled' });
    client.close();
  });

  it('lets a second client watch a run by subscribing to it, with the state so far', async () => {
    const starter = await wsClient(server);
    const watcher = await wsClient(server);
    starter.send({
      command: 'run_job',
      data: {
        graph: {
          nodes: [node('nap', 'fixtures.Sleep', { seconds: 0.4, steps: 4 }), node('p', 'nodetool.workflows.base_node.Preview', { name: 'slept' })],
          edges: [edge('nap', 'p')],
        },
        job_id: 'ws-shared',
      },
    });
    await starter.waitFor((m) => m.type === 'node_progress' && m.job_id === 'ws-shared');
    watcher.send({ command: 'subscribe', data: { job_id: 'ws-shared' } });
    expect(await watcher.waitFor((m) => m.type === 'subscribed')).toMatchObject({ job_id: 'ws-shared', job: { status: 'running' } });
    for (const client of [starter, watcher]) {
      expect(await client.waitFor((m) => m.type === 'output_update' && m.job_id === 'ws-shared')).toMatchObject({ node_name: 'slept', value: 0.4 });
      expect(await client.waitFor((m) => m.type === 'job_update' && m.job_id === 'ws-shared' && m.status === 'completed')).toBeTruthy();
    }
    starter.close();
    watcher.close();
  });

  it('answers bad commands with an error naming the problem', async () => {
    const client = await wsClient(server);
    client.send({ command: 'fly', request_id: 'x' });
    expect(await client.waitFor((m) => m.type === 'error' && m.request_id === 'x')).toMatchObject({
      status: 400,
      error: 'unknown command "fly"; expected run_job, reconnect_job, subscribe, unsubscribe or cancel_job',
    });
    client.send({ command: 'run_job', data: { graph: { nodes: [node('a', 'fixtures.Echo')], edges: [edge('a', 'ghost')] } }, request_id: 'y' });
    expect(await client.waitFor((m) => m.type === 'error' && m.request_id === 'y')).toMatchObject({
      status: 400,
      error: expect.stringMatching(/"ghost", which does not exist/),
    });
    client.close();
  });
});
