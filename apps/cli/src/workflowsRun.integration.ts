import { readSetting } from '@nt/settings';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gapBetween, onTerminal } from './testing/onTerminal.js';
import { FIXTURE_NODE_TYPES, FIXTURE_WORKER_ENV, projectWorkerPython, spawnRealWorker, type RealWorker } from '@nt/test-fixtures';

const BIN = fileURLToPath(new URL('../bin/nodetool.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nt-cli-'));
const TOKEN = 'cli-run-token-5d2e';

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** The built binary, with a local worker limited to the fixture nodes. */
function nodetool(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...FIXTURE_WORKER_ENV, NODETOOL_PYTHON: projectWorkerPython('core'), ...env };
  if (!readSetting(env, 'NODETOOL_WORKER_URL').length) delete childEnv['NODETOOL_WORKER_URL'];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: childEnv }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const node = (id: string, type: string, data: Record<string, unknown> = {}) => ({ id, type, data });
const edge = (source: string, target: string, targetHandle = 'value') => ({ source, sourceHandle: 'output', target, targetHandle });
const echoGraph = {
  nodes: [node('say', 'fixtures.Echo', { value: 'hello' }), node('shown', 'nodetool.workflows.base_node.Preview', { name: 'greeting' })],
  edges: [edge('say', 'shown')],
};

describe('nodetool workflows run with the local worker', () => {
  it('runs a workflow and prints only the result object with --json', async () => {
    const run = await nodetool(['workflows', 'run', file('echo.json', echoGraph), '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ status: 'completed', outputs: { greeting: 'hello' } });
    expect(result.nodes.say).toMatchObject({ status: 'completed', type: 'fixtures.Echo' });
  }, 60_000);

  it('prints NDJSON run events with --events', async () => {
    const run = await nodetool(['workflows', 'run', file('echo-events.json', echoGraph), '--events']);
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({ type: 'job_update', status: 'running' });
    expect(events).toContainEqual(expect.objectContaining({ type: 'output_update', node_name: 'greeting', value: 'hello' }));
    expect(events.at(-1)).toMatchObject({ type: 'job_update', status: 'completed' });
  }, 60_000);

  it('prints every item of a stream with --events, each event numbered by seq', async () => {
    const graph = {
      nodes: [node('count', 'fixtures.Count', { count: 4 }), node('shown', 'nodetool.workflows.base_node.Preview', { name: 'numbers' })],
      edges: [{ source: 'count', sourceHandle: 'index', target: 'shown', targetHandle: 'value' }],
    };
    const run = await nodetool(['workflows', 'run', file('count-events.json', graph), '--events']);
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter((event) => event.type === 'output_update').map((event) => [event.value, event.item])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  }, 60_000);

  it('prints the text chunks a sink receives as they arrive when its output is a terminal', async () => {
    const graph = {
      nodes: [
        node('words', 'fixtures.Words', { text: 'first second third', delay: 0.4 }),
        node('shown', 'nodetool.workflows.base_node.Preview', { name: 'answer' }),
      ],
      edges: [{ source: 'words', sourceHandle: 'chunk', target: 'shown', targetHandle: 'value' }],
    };
    const run = await onTerminal([process.execPath, BIN, 'workflows', 'run', file('words.json', graph)], {
      ...process.env,
      ...FIXTURE_WORKER_ENV,
      NODETOOL_PYTHON: projectWorkerPython('core'),
    });
    expect(run.code).toBe(0);
    // The words come 0.4 s apart: printed as they came, the first is on the terminal well before the last.
    expect(gapBetween(run, 'answer: first ', 'third')).toBeGreaterThanOrEqual(400);
    const all = run.output;
    expect(all).toMatch(/answer: first second third \r?\n/);
    expect(all).toContain('Status: completed');
  }, 60_000);

  it('exits 1 and names the failed node when a node fails', async () => {
    const graph = {
      nodes: [node('boom', 'fixtures.Fail', { message: 'bad input' }), node('p', 'nodetool.workflows.base_node.Preview')],
      edges: [edge('boom', 'p')],
    };
    const run = await nodetool(['workflows', 'run', file('fail.json', graph)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('node "boom" (fixtures.Fail) failed: Worker failed execute of fixtures.Fail: bad input');
  }, 60_000);

  it('cancels the run when --timeout passes, and exits 1', async () => {
    const graph = { nodes: [node('nap', 'fixtures.Sleep', { seconds: 30, steps: 300 })], edges: [] };
    const started = Date.now();
    const run = await nodetool(['workflows', 'run', file('slow.json', graph), '--timeout', '2', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'cancelled', nodes: { nap: { status: 'cancelled' } } });
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it('applies --params to the nodes they name', async () => {
    const graph = {
      nodes: [
        node('text', 'nodetool.constant.String', { name: 'text', value: 'default' }),
        node('say', 'fixtures.Echo'),
        node('shown', 'nodetool.workflows.base_node.Preview', { name: 'said' }),
      ],
      edges: [edge('text', 'say'), edge('say', 'shown')],
    };
    const run = await nodetool(['workflows', 'run', file('params.json', graph), '--json', '--params', '{"text": "from params"}']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).outputs.said).toBe('from params');
    expect((await nodetool(['workflows', 'run', file('params2.json', graph), '--params', '[1]'])).code).toBe(2);
  }, 60_000);

  it('exits 2 naming the node for an invalid graph, before any worker starts', async () => {
    const dangling = { nodes: [node('a', 'nodetool.constant.String', { value: 'x' })], edges: [edge('a', 'ghost')] };
    const run = await nodetool(['workflows', 'run', file('dangling.json', dangling)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('goes to node "ghost", which does not exist');
  });

  it('exits 2 for an unknown node type and lists what the worker offers', async () => {
    const typo = { nodes: [node('e', 'fixtures.Ecko', { value: 1 })], edges: [] };
    const run = await nodetool(['workflows', 'run', file('typo.json', typo)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown type "fixtures.Ecko" (node "e"); did you mean "fixtures.Echo"');
  }, 60_000);

  it('exits 2 for a file that is not JSON, naming the file', async () => {
    const run = await nodetool(['workflows', 'run', file('broken.json', '{"nodes": [')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/broken\.json is not valid JSON/);
  });

  it('exits 3 when the worker URL is unreachable', async () => {
    const run = await nodetool(['workflows', 'run', file('echo-remote.json', echoGraph), '--worker-url', 'ws://127.0.0.1:9']);
    expect(run.code).toBe(3);
  });

  it('runs pure-TS graphs without any worker', async () => {
    const graph = {
      nodes: [
        node('a', 'nodetool.constant.List', { value: [1, 0] }),
        node('b', 'nodetool.constant.List', { value: [1, 1] }),
        node('cos', 'nodetool.vector.CosineSimilarity'),
        node('p', 'nodetool.workflows.base_node.Preview', { name: 'score' }),
      ],
      edges: [edge('a', 'cos', 'a'), edge('b', 'cos', 'b'), edge('cos', 'p')],
    };
    const run = await nodetool(['workflows', 'run', file('ts-only.json', graph), '--json', '--worker-url', 'ws://127.0.0.1:9']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).outputs.score).toBeCloseTo(Math.SQRT1_2, 12);
  });
});

describe('nodetool against a remote worker with a token', () => {
  let worker: RealWorker;
  beforeAll(async () => {
    worker = await spawnRealWorker({ token: TOKEN });
  }, 60_000);
  afterAll(() => worker.kill());

  it('runs with the token from --worker-token', async () => {
    const run = await nodetool(['workflows', 'run', file('echo-token.json', echoGraph), '--json', '--worker-url', worker.url, '--worker-token', TOKEN]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).outputs.greeting).toBe('hello');
  });

  it('exits 4 on a wrong token and prints no token', async () => {
    const run = await nodetool(['workflows', 'run', file('echo-bad-token.json', echoGraph)], {
      NODETOOL_WORKER_URL: worker.url,
      NODETOOL_WORKER_TOKEN: 'nope-not-it-0123456789',
    });
    expect(run.code).toBe(4);
    expect(run.stdout + run.stderr).not.toContain('nope-not-it-0123456789');
  });

  it('lists nodes of one namespace as JSON', async () => {
    const run = await nodetool(['nodes', 'list', '--namespace', 'fixtures', '--json'], { NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).map((n: { node_type: string }) => n.node_type)).toEqual(FIXTURE_NODE_TYPES);
  });
});
