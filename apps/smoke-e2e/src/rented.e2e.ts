import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRealWorker, startFixtureProviderApi, type FixtureProviderApi, type RealWorker } from '@nt/worker-auth-fixtures';
import { launchChromium } from './browser.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';

// The Rented workers panel in a real browser: rent from a profile, watch it come up, stop it, destroy
// it (the page asks first). The provider is a fixture of Vast.ai's API whose instances boot into real
// worker processes; the server is the built one, with no other worker.
const KEYS = { runpod: 'rpa_ui_rent_suite_key', vast: 'vast-ui-rent-suite-key' };

describe('the Rented workers panel', () => {
  let providers: FixtureProviderApi;
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  const workers: RealWorker[] = [];

  beforeAll(async () => {
    providers = await startFixtureProviderApi(KEYS, {
      bootDelayMs: 200,
      vastOffers: [{ id: 31, gpu_name: 'RTX_4090', num_gpus: 1, dph_total: 0.41, cuda_max_good: 13.0 }],
      onBoot: async ({ env }) => {
        const worker = await spawnRealWorker({ token: env['NODETOOL_WORKER_TOKEN'] });
        workers.push(worker);
        return { host: '127.0.0.1', port: worker.port };
      },
      onHalt: async () => undefined,
    });
    server = await startServerProcess({
      NODETOOL_LOCAL_WORKER: '0',
      NODETOOL_WORKER_URL: '',
      VAST_API_KEY: KEYS.vast,
      NODETOOL_VAST_API_URL: providers.vastUrl,
    });
    const saved = await fetch(`${server.url}/api/worker-profiles/rtx`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provider: 'vast',
        gpu_type: 'RTX_4090',
        image: 'ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4',
        max_price_per_hour: 0.5,
        tls: false,
      }),
    });
    expect(saved.status).toBe(201);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    await page.goto(server.url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    for (const worker of workers) await worker.kill();
    await providers?.close();
  });

  it('rents a worker from a profile and shows it healthy, in the pool, with its price', async () => {
    const panel = page.getByTestId('rented-workers-panel');
    await panel.getByRole('button', { name: 'Rent and attach' }).click();
    const row = panel.getByTestId('rented-worker');
    await expect.poll(async () => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('running');
    await expect
      .poll(async () => row.innerText(), { timeout: 30_000 })
      .toMatch(/healthy: the worker answered the token handshake · \$0.410\/h · cost so far \$0.00 · in the pool/);
    await expect.poll(async () => page.getByTestId('worker-status').innerText(), { timeout: 30_000 }).toMatch(/connected/i);
    await page.screenshot({ path: 'dist/rented-workers.png', fullPage: true });
  }, 60_000);

  it('stops it, then destroys it after asking', async () => {
    const row = page.getByTestId('rented-worker');
    await row.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(async () => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('stopped');
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await row.getByRole('button', { name: 'Destroy' }).click();
    await expect.poll(async () => page.getByTestId('rented-worker').count(), { timeout: 15_000 }).toBe(0);
    expect(asked[0]).toMatch(/^Destroy vast:\d+\? Its instance and disk are deleted\.$/);
    const listed = (await (await fetch(`${server.url}/api/rented-workers`)).json()) as { workers: Array<{ state: string }> };
    expect(listed.workers.map((worker) => worker.state)).toEqual(['destroyed']);
  }, 60_000);
});
