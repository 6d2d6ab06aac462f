import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PythonStdioBridge } from '@nt/bridge';
import { fixtureStdioOptions } from '@nt/test-fixtures';
import type { Workflow } from '../graph.js';
import { runWorkflow } from '../runWorkflow.js';
import type { FetchPolicy } from './fetchMedia.js';

// A 1x1 PNG, passed through by the worker's fixtures.EchoImage unchanged.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108020000009077' + '53de0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082',
  'hex',
);
let server: Server;
let imageUrl: string;
let requests = 0;
let bridge: PythonStdioBridge;

beforeAll(async () => {
  server = createServer((request, response) => {
    requests++;
    if (request.url === '/cat.png') return void response.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  imageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cat.png`;
  bridge = new PythonStdioBridge(fixtureStdioOptions());
  await bridge.connect();
}, 60_000);

afterAll(async () => {
  await bridge.close();
  await new Promise((resolve) => server.close(resolve));
});

const allowLoopback: FetchPolicy = { allowHosts: ['127.0.0.1'], timeoutMs: 10_000, maxBytes: 1024 * 1024 };

/** nodetool's own shape: a constant image (or an image input) feeding a Python node, its result shown. */
function echoOf(source: { type: string; data: Record<string, unknown> }, extra: Workflow['graph']['nodes'] = []): Workflow {
  return {
    id: 'media',
    name: 'media',
    params: {},
    graph: {
      nodes: [
        { id: 'src', ...source },
        { id: 'echo', type: 'fixtures.EchoImage', data: { image: { type: 'image', uri: '', asset_id: null, data: null } } },
        { id: 'out', type: 'nodetool.workflows.base_node.Preview', data: { name: 'image' } },
        ...extra,
      ],
      edges: [
        { source: 'src', sourceHandle: 'output', target: 'echo', targetHandle: 'image' },
        { source: 'echo', sourceHandle: 'output', target: 'out', targetHandle: 'value' },
      ],
    },
  };
}

describe('media constants and inputs reach the real worker', () => {
  it('fetches a constant image URL once per run and hands the worker its bytes, not the URL', async () => {
    requests = 0;
    const twice = echoOf({ type: 'nodetool.constant.Image', data: { value: { type: 'image', uri: imageUrl, asset_id: null, data: null } } }, [
      { id: 'again', type: 'nodetool.constant.Image', data: { value: { type: 'image', uri: imageUrl } } },
    ]);
    const result = await runWorkflow(twice, { bridge, fetchPolicy: allowLoopback });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('completed');
    expect(requests).toBe(1);
    expect(Buffer.from(result.outputs['image'] as Uint8Array)).toEqual(PNG);
  });

  it('fails the run before any node starts when the URL is refused, naming it and why', async () => {
    requests = 0;
    const result = await runWorkflow(echoOf({ type: 'nodetool.constant.Image', data: { value: { type: 'image', uri: imageUrl } } }), {
      bridge,
      fetchPolicy: { ...allowLoopback, allowHosts: [] },
    });
    expect(result.status).toBe('failed');
    expect(result.error).toBe(
      `fetching ${imageUrl} failed: 127.0.0.1 is not a public address (loopback, private, link-local or a cloud's metadata service); media are fetched only from public addresses (NODETOOL_FETCH_ALLOW_HOSTS names hosts exempt from this)`,
    );
    expect(requests).toBe(0);
    expect(Object.values(result.nodes).every((record) => record.status === 'pending')).toBe(true);
  });

  it('takes the bytes of a file for an image input from params, as the CLI gives them', async () => {
    const input = echoOf({ type: 'nodetool.input.ImageInput', data: { name: 'photo', value: { type: 'image', uri: '', asset_id: null, data: null } } });
    const result = await runWorkflow(input, { bridge, params: { photo: new Uint8Array(PNG) } });
    expect(result.status).toBe('completed');
    expect(Buffer.from(result.outputs['image'] as Uint8Array)).toEqual(PNG);
  });
});
