import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './server.js';
import { api, edge, node, startTestServer, waitForWorker, type TestServerData } from './testing/testServer.js';

// A workflow's inputs and media through the server, against the real worker: its interface, params
// bound and checked by name, an uploaded file or a URL for an image input, and what is refused.
const TOKEN = 'inputs-suite-server-token-5c2e';
const bearer = { authorization: `Bearer ${TOKEN}` };

/** An image input and a step count feeding the worker's EchoImage, as nodetool's editor saves such a workflow. */
const photoWorkflow = {
  id: 'photo-echo',
  name: 'Photo echo',
  graph: {
    nodes: [
      {
        ...node('in', 'nodetool.input.ImageInput', {
          name: 'photo',
          description: 'Any picture',
          value: { type: 'image', uri: '', asset_id: null, data: null },
        }),
      },
      node('steps', 'nodetool.input.IntegerInput', { name: 'steps', value: 2, min: 1, max: 10 }),
      node('echo', 'fixtures.EchoImage', { image: { type: 'image', uri: '', asset_id: null, data: null } }),
      node('out', 'nodetool.output.Output', { name: 'picture' }),
    ],
    edges: [edge('in', 'echo', 'image'), edge('echo', 'out')],
  },
};

let pictureHost: Server;
let pictureUrl: string;
let png: Buffer;

describe("a workflow's inputs through the server", () => {
  let server: RunningServer & TestServerData;
  beforeAll(async () => {
    server = await startTestServer({ env: { NODETOOL_SERVER_TOKEN: TOKEN, NODETOOL_FETCH_ALLOW_HOSTS: '127.0.0.1' } });
    await waitForWorker(server);
    // A real PNG, made by the worker, served over HTTP as a picture on the web would be.
    const made = await api(
      server,
      'POST',
      '/api/run',
      {
        graph: {
          nodes: [node('img', 'fixtures.MakeImage', { size: 24 }), node('show', 'nodetool.output.Output', { name: 'p' })],
          edges: [edge('img', 'show')],
        },
        wait: true,
      },
      bearer,
    );
    png = Buffer.from(await (await fetch(server.url + made.body.result.outputs.p.url, { headers: bearer })).arrayBuffer());
    pictureHost = createServer((request, response) => {
      if (request.url === '/photo.png') return void response.writeHead(200, { 'content-type': 'image/png' }).end(png);
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => pictureHost.listen(0, '127.0.0.1', resolve));
    pictureUrl = `http://127.0.0.1:${(pictureHost.address() as AddressInfo).port}/photo.png`;
    expect((await api(server, 'POST', '/api/workflows', photoWorkflow, bearer)).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await new Promise((resolve) => pictureHost.close(resolve));
  });

  it('tells a client the inputs and outputs of a saved workflow', async () => {
    const saved = await api(server, 'GET', '/api/workflows/photo-echo', undefined, bearer);
    expect(saved.status).toBe(200);
    expect(saved.body.interface).toEqual({
      inputs: [
        { name: 'photo', node_id: 'in', node_type: 'nodetool.input.ImageInput', type: 'image', description: 'Any picture', required: true },
        {
          name: 'steps',
          node_id: 'steps',
          node_type: 'nodetool.input.IntegerInput',
          type: 'int',
          description: '',
          required: false,
          default: 2,
          min: 1,
          max: 10,
        },
      ],
      outputs: [{ name: 'picture', node_id: 'out', node_type: 'nodetool.output.Output' }],
    });
  });

  it('runs with an uploaded file given to the image input by name', async () => {
    const uploaded = await fetch(`${server.url}/api/assets?name=photo.png`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/octet-stream' },
      body: png,
    });
    const ref = (await uploaded.json()) as { id: string };
    const run = await api(server, 'POST', '/api/workflows/photo-echo/run', { params: { photo: ref, steps: 3 }, wait: true }, bearer);
    expect(run.body.status, run.body.error).toBe('completed');
    expect(run.body.result.outputs.picture).toMatchObject({ type: 'asset', id: ref.id, content_type: 'image/png' });
  }, 60_000);

  it('fetches an http URL given for the image input into the asset store, and the worker gets the asset', async () => {
    const run = await api(server, 'POST', '/api/workflows/photo-echo/run', { params: { photo: pictureUrl }, wait: true }, bearer);
    expect(run.body.status, run.body.error).toBe('completed');
    const sha = createHash('sha256').update(png).digest('hex');
    expect(run.body.result.outputs.picture).toMatchObject({ type: 'asset', id: sha });
    const kept = await fetch(`${server.url}/api/assets/${sha}`, { headers: bearer });
    expect(Buffer.from(await kept.arrayBuffer())).toEqual(png);
  }, 60_000);

  it('refuses, before anything runs, an input given nothing, a value of the wrong type and a param no input has', async () => {
    const before = (await api(server, 'GET', '/api/jobs', undefined, bearer)).body.jobs.length;
    const missing = await api(server, 'POST', '/api/workflows/photo-echo/run', { params: {} }, bearer);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toContain(
      'input "photo" (node in, ImageInput) has no image set; give it in the run\'s params ({"photo": …}, or --input photo=path/to/file)',
    );
    const wrong = await api(server, 'POST', '/api/workflows/photo-echo/run', { params: { photo: pictureUrl, steps: 'many' } }, bearer);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toContain('input "steps" (node steps, IntegerInput) takes a whole number; got the text "many"');
    const typo = await api(server, 'POST', '/api/workflows/photo-echo/run', { params: { photo: pictureUrl, step: 3 } }, bearer);
    expect(typo.status).toBe(400);
    expect(typo.body.error).toContain('params name "step", which no input of this workflow has; did you mean "steps"?');
    expect((await api(server, 'GET', '/api/jobs', undefined, bearer)).body.jobs.length).toBe(before);
  });

  it('fails a run that names an asset this server does not have, naming it', async () => {
    const ghost = { type: 'asset', id: 'f'.repeat(64), content_type: 'image/png', size: 1, url: `/api/assets/${'f'.repeat(64)}` };
    const run = await api(server, 'POST', '/api/workflows/photo-echo/run', { params: { photo: ghost }, wait: true }, bearer);
    expect(run.body.status).toBe('failed');
    expect(run.body.error).toBe(`node "in" takes the asset ${'f'.repeat(64)} as its "value", which this server does not have`);
  }, 60_000);
});
