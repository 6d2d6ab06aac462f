import { createHash } from 'node:crypto';
import { CreateMultipartUploadCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3TestServer } from '@nt/test-fixtures';
import type { RunningServer } from './server.js';
import { S3AssetBackend } from '@nt/data';
import { startTestBucket } from './testing/testBucket.js';
import { api, edge, node, startTestServer, waitForWorker } from './testing/testServer.js';

// The asset store on a bucket: the AWS SDK v3 against moto's S3 server (a real S3 API we did not write):
// uploads (multipart above 16 MiB), presigned redirects, range reads through the server, and that the
// folder is not used for new assets.
const BUCKET = 'nodetool-assets';
const graphOf = (producer: ReturnType<typeof node>) => ({
  nodes: [producer, node('show', 'nodetool.workflows.base_node.Preview', { name: 'out' })],
  edges: [edge(producer.id, 'show')],
});

describe('assets in an S3-compatible bucket', () => {
  let s3: S3TestServer;
  let client: S3Client;
  let bucketEnv: Record<string, string>;
  const servers: RunningServer[] = [];
  const serverWith = async (env: Record<string, string>) => {
    const server = await startTestServer({
      env: {
        ...bucketEnv,
        ...env,
      },
    });
    servers.push(server);
    await waitForWorker(server);
    return server;
  };

  beforeAll(async () => {
    ({ s3, client, env: bucketEnv } = await startTestBucket(BUCKET));
  }, 60_000);
  afterAll(async () => {
    for (const server of servers) await server.close();
    client?.destroy();
    await s3?.close();
  });

  it('uploads a result to the bucket (multipart above a part) and redirects a reader to a presigned URL that serves it', async () => {
    // The server's own upload, for results that crossed the link (the worker's own upload is assetOffload.integration.ts).
    const server = await serverWith({ NODETOOL_OFFLOAD_MIN_BYTES: String(2 ** 40) });
    const run = await api(server, 'POST', '/api/run', { graph: graphOf(node('wav', 'fixtures.MakeAudio', { size: 40 * 1024 * 1024 })), wait: true });
    expect(run.body.status, run.body.error).toBe('completed');
    const ref = run.body.result.outputs.out;
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `assets/${ref.id}` }));
    expect(head).toMatchObject({ ContentLength: 40 * 1024 * 1024, ContentType: 'audio/wav' });
    expect(s3.requests().some((line) => line.startsWith(`POST /${BUCKET}/assets/${ref.id}?uploads`))).toBe(true);
    expect(s3.requests().filter((line) => line.startsWith(`PUT /${BUCKET}/assets/${ref.id}?`) && line.includes('partNumber=')).length).toBe(3);

    const redirect = await fetch(server.url + ref.url, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location') as string;
    expect(location).toMatch(new RegExp(`^${s3.endpoint}/${BUCKET}/assets/${ref.id}\\?.*X-Amz-Signature=`));
    expect(location).toMatch(/X-Amz-Expires=300/);
    const direct = await fetch(location);
    expect(direct.status).toBe(200);
    expect(direct.headers.get('content-disposition')).toMatch(/^inline; filename="[0-9a-f]{12}\.wav"$/);
    expect(
      createHash('sha256')
        .update(Buffer.from(await direct.arrayBuffer()))
        .digest('hex'),
    ).toBe(ref.id);

    // The UI's download link: the bucket is asked to send it as a file to save.
    const download = await fetch(`${server.url}${ref.url}?download=1`, { redirect: 'manual' });
    expect(download.status).toBe(302);
    const saved = await fetch(download.headers.get('location') as string);
    expect(saved.headers.get('content-disposition')).toMatch(/^attachment; filename="[0-9a-f]{12}\.wav"$/);
    await saved.arrayBuffer();
  }, 120_000);

  it('finds other bytes planted under the address of a result it commits: replaces them with the result, which the run then serves', async () => {
    const server = await serverWith({});
    // fixtures.MakeBytes: bytes 0-255 over and over; 512 KiB crosses the link and the server commits it.
    const size = 512 * 1024;
    const bytes = Buffer.alloc(size, 0).map((_, index) => index % 256);
    const id = createHash('sha256').update(bytes).digest('hex');
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `assets/${id}`, Body: Buffer.alloc(7000, 1) }));
    const run = await api(server, 'POST', '/api/run', { graph: graphOf(node('bytes', 'fixtures.MakeBytes', { size })), wait: true });
    expect(run.body.status, run.body.error).toBe('completed');
    expect(run.body.result.outputs.out).toMatchObject({ id, size });
    expect(await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `assets/${id}` }))).toMatchObject({ ContentLength: size });
    const served = await fetch(server.url + run.body.result.outputs.out.url);
    const body = Buffer.from(await served.arrayBuffer());
    expect(body.length).toBe(size);
    expect(createHash('sha256').update(body).digest('hex')).toBe(id);
  }, 60_000);

  it('streams from the bucket with ranges when NODETOOL_ASSET_SERVE=stream', async () => {
    const server = await serverWith({ NODETOOL_ASSET_SERVE: 'stream' });
    const run = await api(server, 'POST', '/api/run', { graph: graphOf(node('img', 'fixtures.MakeImage', { size: 32 })), wait: true });
    const ref = run.body.result.outputs.out;
    const whole = await fetch(server.url + ref.url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await whole.arrayBuffer());
    const part = await fetch(server.url + ref.url, { headers: { range: 'bytes=1-3' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).toString('latin1')).toBe(bytes.subarray(1, 4).toString('latin1'));
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  }, 60_000);

  it('aborts unfinished multipart uploads begun before a time, and no others', async () => {
    const backend = new S3AssetBackend({
      bucket: BUCKET,
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const begin = async (id: string) => (await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: `assets/${id}` }))).UploadId;
    const unfinished = async () =>
      ((await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'assets/' }))).Uploads ?? []).map((upload) => upload.UploadId);
    const begun = [await begin('a'.repeat(64)), await begin('b'.repeat(64))];
    // moto keeps no start time (it reports every upload as begun 2010-11-10), so the cut-off is tried on either side of the one it reports.
    const reported = ((await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'assets/' }))).Uploads ?? [])[0]?.Initiated as Date;
    expect(await backend.abortStaleUploads(new Date(reported.getTime()))).toBe(0);
    expect((await unfinished()).sort()).toEqual([...begun].sort());
    expect(await backend.abortStaleUploads(new Date(reported.getTime() + 1000))).toBe(2);
    expect(await unfinished()).toEqual([]);
    backend.client.destroy();
  });

  it('grants a worker a PUT URL that creates an object once and cannot replace it, with no checksum of an empty body in it', async () => {
    const backend = new S3AssetBackend({
      bucket: BUCKET,
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const body = Buffer.from('a result the worker uploads itself');
    const id = createHash('sha256').update(body).digest('hex');
    const grant = await backend.uploads.grant(id, body.length, 60);
    if (!('url' in grant)) throw new Error(`expected one URL, got ${JSON.stringify(grant)}`);
    expect(grant.headers).toEqual({ 'If-None-Match': '*' });
    expect(grant.url).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum/i);
    expect((await fetch(grant.url, { method: 'PUT', body, headers: grant.headers })).status).toBe(200);
    expect((await fetch(grant.url, { method: 'PUT', body: Buffer.from('other bytes'), headers: grant.headers })).status).toBe(412);
    expect(await backend.uploads.grant(id, body.length, 60)).toEqual({ exists: true });
    backend.client.destroy();
  });

  it('deletes from the bucket what retention no longer keeps', async () => {
    const server = await serverWith({ NODETOOL_RETENTION: '1', NODETOOL_RETENTION_INTERVAL_MS: '1000' });
    const first = await api(server, 'POST', '/api/run', { graph: graphOf(node('img', 'fixtures.MakeImage', { size: 12, rgb: [1, 2, 3] })), wait: true });
    const second = await api(server, 'POST', '/api/run', { graph: graphOf(node('img', 'fixtures.MakeImage', { size: 12, rgb: [4, 5, 6] })), wait: true });
    const exists = (id: string) =>
      client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `assets/${id}` })).then(
        () => true,
        () => false,
      );
    await expect.poll(() => exists(first.body.result.outputs.out.id), { timeout: 15_000 }).toBe(false);
    expect(await exists(second.body.result.outputs.out.id)).toBe(true);
  }, 60_000);

  it('refuses half a pair of bucket keys, naming the missing one', async () => {
    await expect(startTestServer({ env: { ASSET_BUCKET: BUCKET, S3_ACCESS_KEY_ID: 'only-the-id' } })).rejects.toThrow(
      /S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together/,
    );
  });
});
