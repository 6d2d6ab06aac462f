import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, WebSocket as PageSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_WORKER_ENV,
  projectWorkerPython,
  REPO_ROOT,
  spawnRealWorker,
  startFixtureHub,
  tinyChatModelRepo,
  TINY_CHAT_REPO_ID,
  type FixtureHub,
  type RealWorker,
} from '@nt/test-fixtures';
import { launchChromium } from './browser.js';
import { startDropProxy, type DropProxy } from './dropProxy.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';

// Streams in the real browser: an LLM's words growing on the page while its node runs (the released
// TextGeneration with a tiny chat model made here), and a page whose connection drops mid-run picking
// the run up where it left it, with every word once.
const TOKEN = `streams-e2e-${Math.random().toString(36).slice(2)}`;
const SCREENSHOTS = join(REPO_ROOT, 'apps', 'smoke-e2e', 'dist');

interface Sample {
  text: string | null;
  status: string | null;
}

/** What the page code below uses of the browser (this project compiles without the DOM library). */
interface PageGlobals {
  samples: Sample[];
  document: { body: unknown; querySelector(selector: string): { textContent: string | null; getAttribute(name: string): string | null } | null };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: Record<string, boolean>): void };
}

/** Records, at every change of the page, the live text of a sink and the status of a node. */
async function watchLiveText(page: Page, sink: string, node: string): Promise<() => Promise<Sample[]>> {
  await page.evaluate(
    ({ sink, node }) => {
      const page = globalThis as unknown as PageGlobals;
      const samples: Sample[] = [];
      page.samples = samples;
      const look = () => {
        const text = page.document.querySelector(`[data-testid="output-${sink}"] [data-testid="live-text"]`)?.textContent ?? null;
        const status = page.document.querySelector(`[data-testid="node-${node}"]`)?.getAttribute('data-status') ?? null;
        const last = samples.at(-1);
        if (!last || last.text !== text || last.status !== status) samples.push({ text, status });
      };
      new page.MutationObserver(look).observe(page.document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    },
    { sink, node },
  );
  return () => page.evaluate(() => (globalThis as unknown as PageGlobals).samples);
}

async function saveWorkflow(server: ServerProcess, workflow: object): Promise<void> {
  const saved = await fetch(`${server.url}/api/workflows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(workflow) });
  expect(saved.status).toBe(201);
}

describe('an LLM’s words in the browser as it writes them', () => {
  let hub: FixtureHub;
  let worker: RealWorker;
  let server: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    hub = await startFixtureHub([tinyChatModelRepo()]);
    worker = await spawnRealWorker({
      token: TOKEN,
      flavour: 'hf',
      env: { NODETOOL_WORKER_NAMESPACES: 'huggingface', HF_HOME: mkdtempSync(join(tmpdir(), 'nt-streams-e2e-hf-')), HF_ENDPOINT: hub.url, HF_HUB_OFFLINE: '0' },
      startupTimeoutMs: 120_000,
    });
    server = await startServerProcess({ NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN });
    await saveWorkflow(server, {
      id: 'llm',
      name: 'Tiny LLM',
      graph: {
        nodes: [
          {
            id: 'gen',
            type: 'huggingface.text_generation.TextGeneration',
            data: { model: { type: 'hf.text_generation', repo_id: TINY_CHAT_REPO_ID }, prompt: 'Tell me about rivers.', max_new_tokens: 300, do_sample: false },
          },
          { id: 'answer', type: 'nodetool.workflows.base_node.Preview', data: { name: 'answer' } },
        ],
        edges: [{ source: 'gen', sourceHandle: 'chunk', target: 'answer', targetHandle: 'value' }],
      },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await worker?.kill();
    await hub?.close();
  });

  it('grows the answer on the page while TextGeneration runs; the final text is the chunks joined', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(server.url);
    await page.locator('[data-testid="worker-status"][data-state="connected"]').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: /Tiny LLM/ }).click();
    const samples = await watchLiveText(page, 'answer', 'gen');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('[data-testid="run-status"]', { hasText: /^completed/ }).waitFor({ timeout: 180_000 });

    const seen = await samples();
    const whileRunning = seen.filter((sample) => sample.status === 'running' && sample.text);
    const lengths = [...new Set(whileRunning.map((sample) => (sample.text as string).length))];
    // The text grew at least twice on the page before the node completed.
    expect(lengths.length).toBeGreaterThanOrEqual(3);
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
    const lastLive = seen.filter((sample) => sample.text).at(-1)?.text as string;
    const final = await page.getByTestId('output-answer').locator('.output-text').textContent();
    expect(final).toBe(lastLive);
    expect((final ?? '').trim().split(/\s+/).length).toBeGreaterThan(20);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'llm-streamed.png') });
    await page.close();
  });
});

describe('a page following runs on the fixture worker', () => {
  let server: ServerProcess;
  let proxy: DropProxy;
  let browser: Browser;
  const WORDS = 'one two three four five six seven eight nine ten eleven twelve';

  beforeAll(async () => {
    server = await startServerProcess({ ...FIXTURE_WORKER_ENV, NODETOOL_PYTHON: projectWorkerPython('core'), NODETOOL_WORKER_URL: '' });
    await saveWorkflow(server, {
      id: 'words',
      name: 'Slow words',
      graph: {
        nodes: [
          { id: 'speak', type: 'fixtures.Words', data: { text: WORDS, delay: 0.35 } },
          { id: 'answer', type: 'nodetool.workflows.base_node.Preview', data: { name: 'answer' } },
        ],
        edges: [{ source: 'speak', sourceHandle: 'chunk', target: 'answer', targetHandle: 'value' }],
      },
    });
    await saveWorkflow(server, {
      id: 'steps',
      name: 'Image steps',
      graph: { nodes: [{ id: 'paint', type: 'fixtures.Steps', data: { steps: 20, delay: 0.15 } }], edges: [] },
    });
    proxy = await startDropProxy(server.url);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.stop();
  });

  it('resumes the run with reconnect_job after the drop: every word once, none missing', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const sockets: PageSocket[] = [];
    const sent: string[] = [];
    page.on('websocket', (socket) => {
      sockets.push(socket);
      socket.on('framesent', (frame) => sent.push(String(frame.payload)));
    });
    await page.goto(proxy.url);
    await page.locator('[data-testid="worker-status"][data-state="connected"]').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: /Slow words/ }).click();
    const samples = await watchLiveText(page, 'answer', 'speak');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(async () => (await samples()).at(-1)?.text ?? '', { timeout: 30_000 }).toMatch(/^one two three /);
    proxy.drop();
    await page.locator('[data-testid="run-status"]', { hasText: /^completed/ }).waitFor({ timeout: 60_000 });

    // The page opened a second socket and asked for what it missed, from the last event it had.
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    const resumed = sent.map((text) => JSON.parse(text)).find((message) => message.command === 'reconnect_job');
    expect(resumed?.data.last_seq).toBeGreaterThan(0);
    const expected = `${WORDS.split(' ').join(' ')} `;
    const lastLive = (await samples()).filter((sample) => sample.text).at(-1)?.text;
    expect(lastLive).toBe(expected);
    expect(await page.getByTestId('output-answer').locator('.output-text').textContent()).toBe(expected);
    expect(await page.getByTestId('run-missed').count()).toBe(0);
    await page.close();
  });

  it('shows a node’s live preview (an image model’s steps) on the node while it runs, and its result after', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(server.url);
    await page.locator('[data-testid="worker-status"][data-state="connected"]').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: /Image steps/ }).click();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const preview = page.locator('[data-testid="node-paint"] img[data-testid="node-preview"]');
    await preview.waitFor({ timeout: 30_000 });
    expect(await preview.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(await page.locator('[data-testid="node-paint"]').getAttribute('data-status')).toBe('running');
    await page.locator('[data-testid="run-status"]', { hasText: /^completed/ }).waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid="node-paint"] [data-testid="node-preview"]').count()).toBe(0);
    await page.close();
  });
});
