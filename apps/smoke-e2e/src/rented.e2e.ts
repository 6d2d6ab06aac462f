import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realInstances, startFixtureProviderApi, type FixtureProviderApi } from '@nt/providers/testing';
import { launchChromium } from './browser.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';

// The Rented workers panel in a real browser: rent from a profile, watch it come up, stop it, destroy
// it (the page asks first). The provider is a fixture of Vast.ai's API whose instances boot into real
// worker processes behind TLS (the certificate the server made and pins); the server is the built one,
// with no other worker.
const KEYS = { runpod: 'rpa_ui_rent_suite_key', vast: 'vast-ui-rent-suite-key' };

describe('the Rented workers panel', () => {
  let providers: FixtureProviderApi;
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  const instances = realInstances();

  beforeAll(async () => {
    providers = await startFixtureProviderApi(KEYS, {
      bootDelayMs: 200,
      vastOffers: [{ id: 31, gpu_name: 'RTX 4090', num_gpus: 1, dph_base: 0.41, storage_cost: 0 }],
      onBoot: (boot) => instances.onBoot(boot),
      onHalt: (boot) => instances.onHalt(boot),
    });
    server = await startServerProcess({
      NODETOOL_LOCAL_WORKER: '0',
      NODETOOL_WORKER_URL: '',
      VAST_API_KEY: KEYS.vast,
      NODETOOL_VAST_API_URL: providers.vastUrl,
    });
    await putProfile('rtx', {});
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    await page.goto(server.url);
  }, 60_000);

  /** A Vast.ai RTX 4090 profile (with `extra` on top), saved through the API as a user's script would. */
  async function putProfile(name: string, extra: Record<string, unknown>): Promise<void> {
    const saved = await fetch(`${server.url}/api/worker-profiles/${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provider: 'vast',
        gpu_type: 'RTX_4090',
        image: 'ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4',
        max_price_per_hour: 0.5,
        ...extra,
      }),
    });
    expect(saved.status).toBe(201);
  }

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await instances.stopAll();
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

  it('shows a scaled profile in the capacity view, and a run with no worker says what it waits for until a worker is rented for it', async () => {
    await putProfile('auto', { namespaces: ['fixtures'], scale: { max: 1, release_after: 600 } });
    const workflow = {
      name: 'Nap on a GPU',
      graph: { nodes: [{ id: 'nap', type: 'fixtures.Sleep', data: { seconds: 1, steps: 1 } }], edges: [] },
      settings: { worker_group: 'auto' },
    };
    const saved = await fetch(`${server.url}/api/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(workflow),
    });
    expect(saved.status).toBe(201);
    await page.reload();
    // No worker in the pool, and one comes when a run waits: the header says so, not "unreachable".
    await expect
      .poll(async () => page.getByTestId('worker-status').innerText(), { timeout: 15_000 })
      .toMatch(/Workers on demand\s+rented when a run waits: auto/);
    const profile = page.getByTestId('capacity-auto');
    await expect.poll(async () => profile.innerText(), { timeout: 15_000 }).toMatch(/auto\s+0–1 in auto\s+0 running, 0 starting, 0 stopped\s+\$0\.00/);
    await page.getByRole('button', { name: /Nap on a GPU/ }).click();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    // Queued, and the page says for what: the offer rented, its provider and price, the stage, the seconds.
    await expect
      .poll(async () => page.getByTestId('run-waiting').innerText(), { timeout: 30_000 })
      .toMatch(/^waiting for a worker: renting 1× RTX 4090 on Vast\.ai at \$0\.41\/h \(vast:\d+\), .+, \d+ s$/);
    await page.screenshot({ path: 'dist/run-waiting-for-worker.png', fullPage: true });
    await expect.poll(async () => page.getByTestId('run-status').innerText(), { timeout: 60_000 }).toMatch(/^completed/);
    await expect.poll(async () => profile.innerText(), { timeout: 30_000 }).toMatch(/1 running, 0 starting, 0 stopped/);
    await page.screenshot({ path: 'dist/capacity.png', fullPage: true });
  }, 120_000);
});
