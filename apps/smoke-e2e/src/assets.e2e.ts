import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_WORKER_ENV, projectWorkerPython } from '@nt/test-fixtures';
import { launchChromium } from './browser.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';

// Media in the real browser: an image drawn from its asset URL, an audio asset the page's player reads
// by range, and a workflow's image input given a file through the inputs form. The server is the built
// one with a local worker of fixture nodes.
const WORKFLOW = {
  id: 'media',
  name: 'Media results',
  graph: {
    nodes: [
      { id: 'img', type: 'fixtures.MakeImage', data: { size: 48, rgb: [200, 40, 40] } },
      { id: 'wav', type: 'fixtures.MakeAudio', data: { size: 64_044 } },
      { id: 'p1', type: 'nodetool.workflows.base_node.Preview', data: { name: 'picture' } },
      { id: 'p2', type: 'nodetool.workflows.base_node.Preview', data: { name: 'sound' } },
    ],
    edges: [
      { source: 'img', sourceHandle: 'output', target: 'p1', targetHandle: 'value' },
      { source: 'wav', sourceHandle: 'output', target: 'p2', targetHandle: 'value' },
    ],
  },
};

/** nodetool's shape of a workflow that takes a picture: an ImageInput into the worker's EchoImage. */
const PHOTO_WORKFLOW = {
  id: 'photo-echo',
  name: 'Photo echo',
  graph: {
    nodes: [
      {
        id: 'in',
        type: 'nodetool.input.ImageInput',
        data: { name: 'photo', description: 'Any picture', value: { type: 'image', uri: '', asset_id: null, data: null } },
      },
      { id: 'size', type: 'nodetool.input.IntegerInput', data: { name: 'size', value: 32, min: 1, max: 256 } },
      { id: 'echo', type: 'fixtures.EchoImage', data: {} },
      { id: 'out', type: 'nodetool.output.Output', data: { name: 'picture' } },
    ],
    edges: [
      { source: 'in', sourceHandle: 'output', target: 'echo', targetHandle: 'image' },
      { source: 'echo', sourceHandle: 'output', target: 'out', targetHandle: 'value' },
    ],
  },
};

describe('media results in the UI', () => {
  let server: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServerProcess({ ...FIXTURE_WORKER_ENV, NODETOOL_PYTHON: projectWorkerPython('core'), NODETOOL_WORKER_URL: '' });
    for (const workflow of [WORKFLOW, PHOTO_WORKFLOW]) {
      const saved = await fetch(`${server.url}/api/workflows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(workflow),
      });
      expect(saved.status).toBe(201);
    }
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws an image output from its asset URL, and the audio asset answers a range request with 206', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.locator('[data-testid="worker-status"][data-state="connected"]').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: /Media results/ }).click();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('[data-testid="run-status"]', { hasText: /^completed/ }).waitFor({ timeout: 60_000 });

    const image = page.getByTestId('output-picture').locator('img');
    await expect
      .poll(() =>
        image.evaluate((element) => {
          const img = element as unknown as { complete: boolean; naturalWidth: number };
          return img.complete && img.naturalWidth;
        }),
      )
      .toBe(48);
    expect(await image.getAttribute('src')).toMatch(/^\/api\/assets\/[0-9a-f]{64}$/);

    const audio = page.getByTestId('output-sound').locator('audio');
    const src = (await audio.getAttribute('src')) as string;
    expect(src).toMatch(/^\/api\/assets\/[0-9a-f]{64}$/);
    const ranged = await page.evaluate(async (url) => {
      const response = await fetch(url, { headers: { range: 'bytes=0-43' } });
      return {
        status: response.status,
        range: response.headers.get('content-range'),
        riff: new TextDecoder().decode((await response.arrayBuffer()).slice(0, 4)),
      };
    }, src);
    expect(ranged).toEqual({ status: 206, range: 'bytes 0-43/64044', riff: 'RIFF' });
    await page.screenshot({ path: 'dist/media-results.png', fullPage: true });
    await page.close();
  }, 120_000);

  it("takes a file for a workflow's image input from the inputs form, uploads it, and shows the result", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.locator('[data-testid="worker-status"][data-state="connected"]').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: /Photo echo/ }).click();
    const form = page.getByTestId('inputs-form');
    await form.waitFor();
    expect(await page.getByTestId('input-size').locator('input').inputValue()).toBe('32');
    // Nothing chosen: the form says what is missing and nothing runs.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByTestId('input-problems').textContent()).toBe('photo: choose a file or give a URL');
    expect(await page.getByTestId('run-status').count()).toBe(0);

    // A 40x40 PNG the worker made in the first run's way, chosen as a person would.
    const made = await fetch(`${server.url}/api/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        graph: {
          nodes: [
            { id: 'm', type: 'fixtures.MakeImage', data: { size: 40 } },
            { id: 'o', type: 'nodetool.output.Output', data: { name: 'p' } },
          ],
          edges: [{ source: 'm', sourceHandle: 'output', target: 'o', targetHandle: 'value' }],
        },
        wait: true,
      }),
    });
    const png = Buffer.from(
      await (await fetch(server.url + ((await made.json()) as { result: { outputs: { p: { url: string } } } }).result.outputs.p.url)).arrayBuffer(),
    );
    await page.getByLabel('photo file').setInputFiles({ name: 'square.png', mimeType: 'image/png', buffer: png });
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('[data-testid="run-status"]', { hasText: /^completed/ }).waitFor({ timeout: 60_000 });
    const image = page.getByTestId('output-picture').locator('img');
    await expect
      .poll(() =>
        image.evaluate((element) => {
          const img = element as unknown as { complete: boolean; naturalWidth: number };
          return img.complete && img.naturalWidth;
        }),
      )
      .toBe(40);
    await page.screenshot({ path: 'dist/inputs-form.png', fullPage: true });
    await page.close();
  }, 120_000);
});
