import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedMiniLmRepo, MINILM_REPO_ID, REPO_ROOT, startFixtureHub, type FixtureHub } from '@nt/test-fixtures';
import { launchChromium } from './browser.js';
import { docker } from '@nt/smoke-runner';
import { readWorkerChoice, startHfWorker, type HfWorker, type WorkerChoice } from './hfWorker.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';

const TOKEN = `smoke-e2e-${Math.random().toString(36).slice(2)}`;
const SERVER_TOKEN = `server-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
const SMOKE = join(REPO_ROOT, 'examples', 'hf-worker-smoke.json');
const SCREENSHOTS = join(REPO_ROOT, 'apps', 'smoke-e2e', 'dist');

let choice: WorkerChoice;
let hub: FixtureHub;
let worker: HfWorker;
let browser: Browser;
/** One browser profile for the suite, so the session cookie of a login carries over, as in a real browser. */
let context: BrowserContext;

beforeAll(async () => {
  choice = readWorkerChoice();
  // The Hub's part the worker downloads from, here: MiniLM's files, and a 5 MB ONNX copy the node does not need.
  hub = await startFixtureHub([installedMiniLmRepo(REPO_ROOT, { 'onnx/model.onnx': new Uint8Array(5_000_000) })], { bytesPerSecond: 30_000_000 });
  worker = await startHfWorker(TOKEN, choice, hub.url);
  browser = await launchChromium();
  // Tall enough for the whole run view: a full-page screenshot resizes the viewport, which leaves React Flow's nodes hidden in it.
  context = await browser.newContext({ viewport: { width: 1500, height: 1300 } });
  console.log(`smoke-e2e: worker is a ${worker.kind} (${worker.identity}) at ${worker.url}: ${choice.reason}`);
});

describe('the worker this suite drives', () => {
  it('is the HF worker container whenever an engine could be started (a local process only as the stated fallback)', async () => {
    expect(worker.kind).toBe(choice.worker);
    if (worker.kind === 'container') {
      const running = await docker(['inspect', '--format', '{{.State.Running}} {{.Config.Image}}', worker.identity]);
      expect(running).toBe(`true ${process.env['HF_IMAGE'] ?? 'nodetool-hf:local'}`);
      // Host networking (to reach the hub on the host's loopback), with the worker bound to loopback only.
      expect(await docker(['inspect', '--format', '{{.HostConfig.NetworkMode}}', worker.identity])).toBe('host');
      const env = await docker(['inspect', '--format', '{{json .Config.Env}}', worker.identity]);
      expect(JSON.parse(env)).toEqual(expect.arrayContaining(['NODETOOL_WORKER_HOST=127.0.0.1', `NODETOOL_WORKER_PORT=${new URL(worker.url).port}`]));
      // Its model volume starts empty, as compose's hf-cache does on a new machine.
      expect(await docker(['volume', 'inspect', '--format', '{{.Name}}', worker.cache])).toBe(worker.cache);
    } else {
      expect(choice.reason).toMatch(/^no container engine could be started: /);
      expect(() => process.kill(Number(worker.identity), 0)).not.toThrow();
    }
  });
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await hub?.close();
});

async function openUi(server: ServerProcess, path = '/'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(server.url + path);
  return page;
}

describe('web UI → server → HF worker, a token on each', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN, NODETOOL_SERVER_TOKEN: SERVER_TOKEN });
  });
  afterAll(() => server?.stop());

  it('asks for the server token, and a ?token= link logs in once and leaves the address bar', async () => {
    const page = await openUi(server);
    await page.getByTestId('login-form').waitFor();
    await page.close();
    const linked = await openUi(server, `/?token=${SERVER_TOKEN}`);
    await linked.locator('[data-testid="worker-status"][data-state="connected"]').waitFor({ timeout: 60_000 });
    expect(linked.url()).toBe(`${server.url}/`);
    expect(await linked.getByTestId('login-form').count()).toBe(0);
    expect(await linked.content()).not.toContain(SERVER_TOKEN);
    await linked.close();
  });

  it('imports the smoke workflow and runs it on an empty model cache: the model is fetched first, with a progress bar', async () => {
    const page = await openUi(server);
    await page.locator('[data-testid="worker-status"][data-state="connected"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('workflow-file').setInputFiles(SMOKE);
    await page.getByRole('heading', { name: 'HF worker smoke: MiniLM embeddings and their similarity' }).waitFor();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(7);

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const download = page.getByTestId('run-downloads').locator(`[data-testid="model-download"][data-repo="${MINILM_REPO_ID}"]`);
    await download.waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="run-status"]', { hasText: /^completed/ }).waitFor({ timeout: 180_000 });
    expect(await download.getAttribute('data-status')).toBe('completed');
    // Only the files the node loads were fetched, not the ONNX copy.
    expect(hub.requests.filter((line) => line.startsWith('GET /sentence-transformers/all-MiniLM-L6-v2/resolve/')).length).toBeGreaterThan(5);
    expect(hub.requests.some((line) => line.includes('onnx/'))).toBe(false);

    for (const name of ['embedding_a', 'embedding_b']) {
      await expect
        .poll(() => page.getByTestId(`output-${name}`).getByTestId('embedding-facts').textContent())
        .toMatch(/embedding · 384 dimensions · norm \d+\.\d{4}/);
      expect(await page.getByTestId(`output-${name}`).locator('svg.embedding-plot rect').count()).toBe(384);
    }
    const similarity = Number(await page.getByTestId('output-similarity').getByTestId('score-value').textContent());
    expect(similarity).toBeGreaterThan(0.5);
    expect(similarity).toBeLessThanOrEqual(1);
    for (const id of ['embed_a', 'embed_b', 'similarity']) {
      expect(await page.locator(`.react-flow__node[data-id="${id}"] .graph-node`).getAttribute('data-status')).toBe('completed');
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'smoke-run.png') });
    await page.close();
  });

  it('keeps the model loaded after the run (the Models panel counts the keep-alive down), so the next run is warm; Evict releases it', async () => {
    const page = await openUi(server);
    await page.locator('[data-testid="worker-status"][data-state="connected"]').waitFor({ timeout: 60_000 });
    const model = page.getByTestId('models-panel').locator(`[data-testid="cached-model"][data-repo="${MINILM_REPO_ID}"]`);
    await model.waitFor();
    await expect.poll(() => model.getAttribute('data-resident'), { timeout: 15_000 }).toBe('true');
    expect(await model.getByTestId('model-resident').textContent()).toMatch(/loaded · released in [0-5]:\d\d/);
    expect(await model.textContent()).toMatch(/91\.6 MB/);

    await page.getByRole('button', { name: /HF worker smoke/ }).click();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const status = page.locator('[data-testid="run-status"]', { hasText: /^completed/ });
    await status.waitFor({ timeout: 60_000 });
    // Nothing to fetch this time, and no model to load.
    expect(await page.getByTestId('run-downloads').count()).toBe(0);
    const warmMs = Number(/in (\d+) ms/.exec((await status.textContent()) ?? '')?.[1]);
    expect(warmMs).toBeGreaterThan(0);
    await page.getByTestId('models-panel').screenshot({ path: join(SCREENSHOTS, 'models-panel.png') });

    await model.getByRole('button', { name: 'Evict' }).click();
    // The worker releases the model, then the page hears of it: seconds on a busy machine.
    await expect.poll(() => model.getAttribute('data-resident'), { timeout: 15_000 }).toBe('false');
    expect(await model.getByTestId('model-resident').count()).toBe(0);
    await page.close();
  });
});

describe('a server started with the wrong token', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: `${TOKEN}-wrong` });
  });
  afterAll(() => server?.stop());

  it('shows the worker status panel saying the token was rejected, and never the token', async () => {
    const page = await openUi(server);
    const panel = page.locator('[data-testid="worker-status"][data-state="token_rejected"]');
    await panel.waitFor({ timeout: 30_000 });
    expect(await panel.textContent()).toMatch(/Token rejected.*rejected the token \(HTTP 401\)/s);
    expect(await page.content()).not.toContain(TOKEN);
    await page.screenshot({ path: join(SCREENSHOTS, 'token-rejected.png') });
    await page.close();
  });
});
