import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaFetchError, openMedia, type FetchPolicy } from './fetchMedia.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/cat.png') return void response.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    if (url.pathname === '/big') return void response.writeHead(200, { 'content-length': '4096' }).end(Buffer.alloc(4096));
    if (url.pathname === '/big-chunked') {
      response.writeHead(200);
      response.write(Buffer.alloc(3000));
      return void response.end(Buffer.alloc(3000));
    }
    if (url.pathname === '/stall') return void response.writeHead(200).write('partial');
    if (url.pathname === '/silent') return;
    if (url.pathname === '/to') return void response.writeHead(302, { location: url.searchParams.get('where') ?? '/' }).end();
    if (url.pathname === '/loop') return void response.writeHead(302, { location: '/loop' }).end();
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const policy = (extra: Partial<FetchPolicy> = {}): FetchPolicy => ({ allowHosts: ['127.0.0.1'], timeoutMs: 5_000, maxBytes: 1024 * 1024, ...extra });

async function read(url: string, given: FetchPolicy): Promise<Buffer> {
  const media = await openMedia(url, given);
  const chunks: Buffer[] = [];
  for await (const chunk of media.body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function refusal(url: string, given: FetchPolicy): Promise<string> {
  try {
    await read(url, given);
  } catch (error) {
    expect(error).toBeInstanceOf(MediaFetchError);
    return (error as Error).message;
  }
  throw new Error(`${url} was fetched`);
}

describe('openMedia', () => {
  it('fetches a URL of an allowed host, with its type', async () => {
    const media = await openMedia(`${base}/cat.png`, policy());
    expect(media.contentType).toBe('image/png');
    const chunks: Buffer[] = [];
    for await (const chunk of media.body as AsyncIterable<Buffer>) chunks.push(chunk);
    expect(Buffer.concat(chunks)).toEqual(PNG);
  });

  it('refuses loopback without NODETOOL_FETCH_ALLOW_HOSTS, by the address a name resolves to and at every redirect', async () => {
    expect(await refusal(`${base}/cat.png`, policy({ allowHosts: [] }))).toBe(
      `fetching ${base}/cat.png failed: 127.0.0.1 is not a public address (loopback, private, link-local or a cloud's metadata service); media are fetched only from public addresses (NODETOOL_FETCH_ALLOW_HOSTS names hosts exempt from this)`,
    );
    const port = new URL(base).port;
    expect(await refusal(`http://localhost:${port}/cat.png`, policy())).toMatch(/localhost is (127\.0\.0\.1|::1), which is not a public address/);
    const redirected = `${base}/to?where=${encodeURIComponent(`http://localhost:${port}/cat.png`)}`;
    expect(await refusal(redirected, policy())).toMatch(
      new RegExp(`^fetching ${redirected.replace(/[?.]/g, '\\$&')} failed: localhost is .*not a public address`),
    );
    expect(await refusal('http://169.254.169.254/latest/meta-data/', policy())).toMatch(/failed: 169\.254\.169\.254 is not a public address/);
    expect(await refusal('http://[::ffff:127.0.0.1]/x', policy())).toMatch(/failed: ::ffff:7f00:1 is not a public address/);
  });

  it('follows redirects only to http(s), and at most five', async () => {
    expect(await refusal(`${base}/to?where=${encodeURIComponent('file:///etc/passwd')}`, policy())).toMatch(
      /it redirected to "file:\/\/\/etc\/passwd", which is not an http\(s\) URL/,
    );
    expect(await refusal(`${base}/loop`, policy())).toMatch(/it redirected more than 5 times/);
    expect(await read(`${base}/to?where=/cat.png`, policy())).toEqual(PNG);
  });

  it('stops at the byte limit, declared or not, and at the timeout, naming the setting', async () => {
    expect(await refusal(`${base}/big`, policy({ maxBytes: 1000 }))).toMatch(/it is 4096 bytes, above the 1000 one asset may be \(NODETOOL_MAX_ASSET_BYTES\)/);
    expect(await refusal(`${base}/big-chunked`, policy({ maxBytes: 5000 }))).toMatch(/it is over 5000 bytes.*\(NODETOOL_MAX_ASSET_BYTES\)/);
    const started = Date.now();
    expect(await refusal(`${base}/stall`, policy({ timeoutMs: 300 }))).toMatch(/it took longer than 300 ms \(NODETOOL_FETCH_TIMEOUT_MS\)/);
    expect(await refusal(`${base}/silent`, policy({ timeoutMs: 300 }))).toMatch(/it took longer than 300 ms \(NODETOOL_FETCH_TIMEOUT_MS\)/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('names the status a server answers with', async () => {
    expect(await refusal(`${base}/missing.png`, policy())).toBe(`fetching ${base}/missing.png failed: the server answered HTTP 404`);
  });
});
