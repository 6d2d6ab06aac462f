import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';

// A real browser visits a page on another site while the user's server runs on 127.0.0.1, as when the
// user opens a link during a session. The page tries every way a page can drive a local server. The
// server has no token (the default, loopback-only setup): the browser defences alone must hold.

/** A pure-TS graph: had any attack got through, it would have run without a worker, and left a job. */
const GRAPH = {
  nodes: [
    { id: 'c', type: 'nodetool.constant.String', data: { value: 'pwned' } },
    { id: 'p', type: 'nodetool.workflows.base_node.Preview', data: { name: 'out' } },
  ],
  edges: [{ source: 'c', sourceHandle: 'output', target: 'p', targetHandle: 'value' }],
};

function attackerPage(target: string): string {
  const body = JSON.stringify({ graph: GRAPH, wait: true });
  return `<!doctype html><html><body>
<form id="form" method="POST" action="${target}/api/run" enctype="text/plain" target="sink">
  <input name='${body.slice(0, -1)}, "x": "' value='"}'>
</form>
<iframe name="sink"></iframe>
<script>
const results = {};
window.__attack = (async () => {
  const body = ${JSON.stringify(body)};
  try { await fetch('${target}/api/run', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body }); results.noCorsTextPlain = 'sent'; } catch (e) { results.noCorsTextPlain = 'blocked: ' + e.message; }
  try { const r = await fetch('${target}/api/run', { method: 'POST', headers: { 'content-type': 'application/json' }, body }); results.corsJson = 'status ' + r.status; } catch (e) { results.corsJson = 'blocked: ' + e.message; }
  results.websocket = await new Promise((resolve) => {
    const ws = new WebSocket('${target.replace('http', 'ws')}/ws');
    ws.onopen = () => { ws.send(JSON.stringify({ command: 'run_job', data: { graph: ${JSON.stringify(GRAPH)}, job_id: 'from-attacker' } })); resolve('open'); };
    ws.onerror = () => resolve('refused');
  });
  document.getElementById('form').submit();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  results.form = 'submitted';
  return results;
})();
</script></body></html>`;
}

describe('a page on another site attacking the local server through the browser', () => {
  let server: ServerProcess;
  let attacker: Server;
  let attackerUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServerProcess({ NODETOOL_WORKER_URL: 'ws://127.0.0.1:9' });
    attacker = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(attackerPage(server.url)));
    // 127.0.0.2 is another site than 127.0.0.1 for the browser, yet still this machine's loopback.
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.2', () => resolve()));
    attackerUrl = `http://127.0.0.2:${(attacker.address() as { port: number }).port}/`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await server?.stop();
  });

  it('gets no run started and no WebSocket opened, while the server itself works', async () => {
    const before = (await (await fetch(`${server.url}/api/jobs`)).json()) as { jobs: unknown[] };
    const page = await browser.newPage();
    await page.goto(attackerUrl);
    const results = (await page.evaluate('window.__attack')) as Record<string, string>;
    await page.close();

    expect(results.websocket).toBe('refused');
    expect(results.corsJson).toMatch(/^blocked: /);
    const after = (await (await fetch(`${server.url}/api/jobs`)).json()) as { jobs: unknown[] };
    expect(after.jobs).toHaveLength(before.jobs.length);
    expect((await fetch(`${server.url}/api/jobs/from-attacker`)).status).toBe(404);
    expect(server.output()).not.toMatch(/pwned/);

    // The server answers its own clients: the refusals were the defences, not an outage.
    const own = await fetch(`${server.url}/api/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ graph: GRAPH, wait: true }),
    });
    expect(((await own.json()) as { status: string }).status).toBe('completed');
  });
});

/** An uploaded "image" that is really a page whose script would start a run on the server's own origin. */
const HOSTILE_PAGE = `<!doctype html><html><body><script>
document.title = 'script ran';
fetch('/api/run', { method: 'POST', headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(JSON.stringify({ graph: GRAPH, wait: true }))} });
</script></body></html>`;

describe('an uploaded page opened in the browser from the server', () => {
  let server: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServerProcess({ NODETOOL_WORKER_URL: 'ws://127.0.0.1:9' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Uploads the page claiming `type`; answers the asset reference the server kept. */
  async function upload(type: string, name: string): Promise<{ url: string; content_type: string }> {
    // A comment per upload: the same bytes would be the same asset, with the type of its first upload.
    const body = `${HOSTILE_PAGE}<!-- ${name} -->`;
    const response = await fetch(`${server.url}/api/assets?name=${name}`, { method: 'POST', headers: { 'content-type': type }, body });
    expect(response.status).toBe(201);
    return (await response.json()) as { url: string; content_type: string };
  }

  it('never runs its script on the server’s origin, whatever type and name it was uploaded with', async () => {
    const asHtml = await upload('text/html', 'cat.html');
    const asSvg = await upload('image/svg+xml', 'cat.svg');
    // The bytes decide the type, and HTML or SVG is never one a claim can give.
    expect(asHtml.content_type).toBe('application/octet-stream');
    expect(asSvg.content_type).toBe('application/octet-stream');

    const jobsBefore = ((await (await fetch(`${server.url}/api/jobs`)).json()) as { jobs: unknown[] }).jobs.length;
    const page = await browser.newPage();
    // Plain bytes make the browser download instead of render; either way nothing may run.
    await page.goto(server.url + asHtml.url).catch((error: Error) => expect(error.message).toMatch(/download/i));
    const headers = (await fetch(server.url + asHtml.url)).headers;
    expect(headers.get('content-security-policy')).toBe("default-src 'none'; media-src 'self'; sandbox");
    expect(headers.get('x-content-type-options')).toBe('nosniff');

    // Kept as JSON when claimed so (a type that never runs): shown as text, its script inert.
    const asText = await upload('application/json', 'notes.json');
    expect(asText.content_type).toBe('application/json');
    await page.goto(server.url + asText.url);
    expect(await page.title()).not.toBe('script ran');
    expect(await page.locator('body').innerText()).toContain("document.title = 'script ran'");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await page.close();

    const jobsAfter = ((await (await fetch(`${server.url}/api/jobs`)).json()) as { jobs: unknown[] }).jobs.length;
    expect(jobsAfter).toBe(jobsBefore);
  });
});
