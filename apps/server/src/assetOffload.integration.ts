import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnRealWorker, startFrameLimitProxy, type FrameLimitProxy, type RealWorker, type S3TestServer } from '@nt/test-fixtures';
import type { RunningServer } from './server.js';
import { startTestBucket } from './testing/testBucket.js';
import { api, edge, node, startTestServer, waitForWorker } from './testing/testServer.js';

// A worker behind a hop that cuts WebSocket frames above 1.8 MiB (as RunPod's HTTP proxy does), a 50 MiB
// image in and a 50 MiB image out. With a bucket, both travel between the worker and the bucket
// (presigned URLs, our compat extension on the real worker) and no frame over 1.8 MiB crosses the hop;
// without one, what cannot cross fails saying why and what fixes it.
const TOKEN = 'offload-suite-worker-token';
const CUT_AT = Math.floor(1.8 * 1024 * 1024);
const BUCKET = 'offload-assets';

/** A real PNG of random pixels (so it does not compress): about width * height * 3 bytes. */
function randomPng(width: number, height: number): Buffer {
  const chunk = (kind: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(kind, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
    return Buffer.concat([head, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const pixels = randomBytes(height * (width * 3 + 1));
  for (let row = 0; row < height; row++) pixels[row * (width * 3 + 1)] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels, { level: 0 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * An HTTP hop in front of the bucket that flips the first byte of part 1 of every multipart upload
 * while `tampering` is on: a worker's upload that is not what the worker says it is.
 */
async function startTamperingHop(target: string): Promise<{ url: string; tampering: boolean; close(): Promise<void> }> {
  const hop = {
    url: '',
    tampering: true,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', target);
    let flip = hop.tampering && request.method === 'PUT' && url.searchParams.get('partNumber') === '1';
    const upstream = httpRequest(url, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    request.on('data', (chunk: Buffer) => {
      if (flip && chunk.length) {
        chunk = Buffer.from(chunk);
        chunk[0] = (chunk[0] as number) ^ 0xff;
        flip = false;
      }
      upstream.write(chunk);
    });
    request.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hop.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return hop;
}

const echoGraph = (image: unknown) => ({
  nodes: [node('echo', 'fixtures.EchoImage', { image }), node('show', 'nodetool.workflows.base_node.Preview', { name: 'out' })],
  edges: [edge('echo', 'show')],
});

async function upload(server: RunningServer, bytes: Buffer) {
  const response = await fetch(`${server.url}/api/assets?name=big.png`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: bytes });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; size: number; content_type: string };
}

describe('media-sized values through a hop that cuts frames above 1.8 MiB', () => {
  let s3: S3TestServer;
  let client: S3Client;
  let bucketEnv: Record<string, string>;
  let worker: RealWorker;
  let proxy: FrameLimitProxy;
  let server: RunningServer | null = null;
  const png = randomPng(4096, 4266); // 52 MiB

  beforeAll(async () => {
    ({ s3, client, env: bucketEnv } = await startTestBucket(BUCKET));
    worker = await spawnRealWorker({ token: TOKEN });
  }, 120_000);
  afterEach(async () => {
    await server?.close();
    server = null;
    await proxy?.close();
  });
  afterAll(async () => {
    client?.destroy();
    await worker?.kill();
    await s3?.close();
  });

  const serverThrough = async (bucket: boolean) => {
    proxy = await startFrameLimitProxy(worker.url, CUT_AT);
    server = await startTestServer({
      env: {
        NODETOOL_WORKER_URL: proxy.url,
        NODETOOL_WORKER_TOKEN: TOKEN,
        NODETOOL_MAX_UPLOAD_BYTES: String(256 * 1024 * 1024),
        ...(bucket ? bucketEnv : {}),
      },
    });
    await waitForWorker(server);
    return server;
  };

  it('with a bucket, takes a 50 MiB image in and sends it back out through the bucket, no frame over 1.8 MiB crossing the hop', async () => {
    const running = await serverThrough(true);
    const input = await upload(running, png);
    expect(input).toMatchObject({ content_type: 'image/png', size: png.length });
    const requestsBefore = s3.requests().length;
    const run = await api(running, 'POST', '/api/run', { graph: echoGraph(input), wait: true });
    expect(run.body.status, run.body.error).toBe('completed');
    // The same bytes came back: the same asset, checked by the server against what the worker reported.
    expect(run.body.result.outputs.out).toMatchObject({ type: 'asset', id: input.id, size: png.length, content_type: 'image/png' });
    expect(proxy.cut).toEqual([]);
    expect(proxy.largest.toWorker).toBeLessThan(CUT_AT);
    expect(proxy.largest.fromWorker).toBeLessThan(CUT_AT);
    // The worker fetched the input by a presigned GET; the bucket already held the result's bytes, so it uploaded none.
    const during = s3.requests().slice(requestsBefore);
    expect(during.some((line) => line.startsWith(`GET /${BUCKET}/assets/${input.id}?`) && line.includes('X-Amz-Signature'))).toBe(true);
  }, 240_000);

  it('with a bucket, uploads a new 50 MiB result from the worker in parts and keeps it only once its SHA-256 checks out', async () => {
    const running = await serverThrough(true);
    const requestsBefore = s3.requests().length;
    const run = await api(running, 'POST', '/api/run', {
      graph: {
        nodes: [node('wav', 'fixtures.MakeAudio', { size: 50 * 1024 * 1024 + 44 }), node('show', 'nodetool.workflows.base_node.Preview', { name: 'out' })],
        edges: [edge('wav', 'show')],
      },
      wait: true,
    });
    expect(run.body.status, run.body.error).toBe('completed');
    const ref = run.body.result.outputs.out;
    expect(ref).toMatchObject({ type: 'asset', size: 50 * 1024 * 1024 + 44, content_type: 'audio/wav' });
    const during = s3.requests().slice(requestsBefore);
    expect(during.filter((line) => line.startsWith(`PUT /${BUCKET}/assets/${ref.id}?`) && line.includes('partNumber=')).length).toBe(2);
    expect(during.some((line) => line.startsWith(`PUT /${BUCKET}/assets/${ref.id}?`) && line.includes('X-Amz-Signature'))).toBe(true);
    expect(proxy.largest.fromWorker).toBeLessThan(CUT_AT);
    const served = await fetch(running.url + ref.url);
    expect(
      createHash('sha256')
        .update(Buffer.from(await served.arrayBuffer()))
        .digest('hex'),
    ).toBe(ref.id);
  }, 240_000);

  it('without a bucket, a 50 MiB result still crosses in 1 MiB frames, and a 50 MiB input fails naming the hop and the setting that fixes it', async () => {
    const running = await serverThrough(false);
    const out = await api(running, 'POST', '/api/run', {
      graph: {
        nodes: [node('wav', 'fixtures.MakeAudio', { size: 50 * 1024 * 1024 }), node('show', 'nodetool.workflows.base_node.Preview', { name: 'out' })],
        edges: [edge('wav', 'show')],
      },
      wait: true,
    });
    expect(out.body.status, out.body.error).toBe('completed');
    expect(proxy.largest.fromWorker).toBeLessThanOrEqual(1024 * 1024 + 256);

    const input = await upload(running, png);
    const refused = await api(running, 'POST', '/api/run', { graph: echoGraph(input), wait: true });
    expect(refused.body.status).toBe('failed');
    expect(proxy.cut).toEqual([{ direction: 'toWorker', bytes: expect.any(Number) }]);
    expect(refused.body.error).toMatch(/one frame of \d+ bytes \(5\d\.\d MiB\).*may cut frames above a size.*ASSET_BUCKET/);
  }, 240_000);

  it('uploads a 2 MiB result in one PUT that can create the object and never replace it, and checks an object it finds there before it counts', async () => {
    const makeAudio = {
      graph: {
        nodes: [node('wav', 'fixtures.MakeAudio', { size: 2 * 1024 * 1024 }), node('show', 'nodetool.workflows.base_node.Preview', { name: 'out' })],
        edges: [edge('wav', 'show')],
      },
      wait: true,
    };
    let running = await serverThrough(true);
    const requestsBefore = s3.requests().length;
    const first = await api(running, 'POST', '/api/run', makeAudio);
    expect(first.body.status, first.body.error).toBe('completed');
    const { id } = first.body.result.outputs.out;
    const puts = s3
      .requests()
      .slice(requestsBefore)
      .filter((line) => line.startsWith(`PUT /${BUCKET}/assets/${id}?`));
    expect(puts).toHaveLength(1);
    // Signed with If-None-Match, and with no checksum of an empty body (S3, R2 and MinIO refuse a body that does not match one).
    expect(decodeURIComponent(puts[0] ?? '')).toContain('X-Amz-SignedHeaders=host;if-none-match');
    expect(puts[0]).not.toMatch(/x-amz-checksum/i);

    // A server with a new database finds the object with no record of it: it checks it, and keeps it without an upload.
    await server?.close();
    running = await serverThrough(true);
    const adoptedFrom = s3.requests().length;
    const adopted = await api(running, 'POST', '/api/run', makeAudio);
    expect(adopted.body.status, adopted.body.error).toBe('completed');
    expect(adopted.body.result.outputs.out.id).toBe(id);
    expect(
      s3
        .requests()
        .slice(adoptedFrom)
        .filter((line) => line.startsWith('PUT ')),
    ).toEqual([]);

    // Other bytes under that name (what a crash, a hostile worker or anyone with the bucket could leave):
    // never counted; deleted and uploaded anew by this run, which completes and serves its own bytes.
    await server?.close();
    running = await serverThrough(true);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `assets/${id}`, Body: Buffer.from('not the audio') }));
    const replaced = await api(running, 'POST', '/api/run', makeAudio);
    expect(replaced.body.status, replaced.body.error).toBe('completed');
    expect(replaced.body.result.outputs.out.id).toBe(id);
    expect((await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `assets/${id}` }))).ContentLength).toBe(2 * 1024 * 1024);
    const served = Buffer.from(await (await fetch(running.url + replaced.body.result.outputs.out.url)).arrayBuffer());
    expect(createHash('sha256').update(served).digest('hex')).toBe(id);
  }, 240_000);

  it('deletes a multipart upload that completes but fails its SHA-256 check, so nothing wrong stays under the address', async () => {
    const hop = await startTamperingHop(s3.endpoint);
    try {
      server = await startTestServer({ env: { NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN, ...bucketEnv, S3_ENDPOINT_URL: hop.url } });
      await waitForWorker(server);
      const makeAudio = {
        graph: {
          nodes: [node('wav', 'fixtures.MakeAudio', { size: 33 * 1024 * 1024 + 44 }), node('show', 'nodetool.workflows.base_node.Preview', { name: 'out' })],
          edges: [edge('wav', 'show')],
        },
        wait: true,
      };
      const refused = await api(server, 'POST', '/api/run', makeAudio);
      expect(refused.body.status).toBe('failed');
      const reported = /not the (\d+) bytes and ([0-9a-f]{64}) the worker reported/.exec(refused.body.error ?? '');
      expect(refused.body.error).toMatch(
        /the upload of "output" is \d+ bytes with SHA-256 [0-9a-f]{64}, not the \d+ bytes and [0-9a-f]{64} the worker reported/,
      );
      const id = reported?.[2] as string;
      await expect(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `assets/${id}` }))).rejects.toThrow();

      hop.tampering = false;
      const again = await api(server, 'POST', '/api/run', makeAudio);
      expect(again.body.status, again.body.error).toBe('completed');
      expect(again.body.result.outputs.out.id).toBe(id);
      const served = Buffer.from(await (await fetch(server.url + again.body.result.outputs.out.url)).arrayBuffer());
      expect(createHash('sha256').update(served).digest('hex')).toBe(id);
    } finally {
      await hop.close();
    }
  }, 240_000);
});
