import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_WORKER_ENV, projectWorkerPython, spawnRealWorker, startFixtureHub, type FixtureHub, type RealWorker } from '@nt/test-fixtures';

// `nodetool models …` and `workflows run --keep-alive / --no-download`, the built binary against the
// real worker with an empty cache of its own; downloads come from the fixture hub.
const BIN = fileURLToPath(new URL('../bin/nodetool.js', import.meta.url));
const TOKEN = 'cli-models-token-77f1';
const REPO = 'fixture-org/cli-model';
const dir = mkdtempSync(join(tmpdir(), 'nt-cli-models-'));

const workflowFile = join(dir, 'load.json');
writeFileSync(
  workflowFile,
  JSON.stringify({
    nodes: [
      { id: 'load', type: 'fixtures.LoadModel', data: { model: { type: 'hf.fixture', repo_id: REPO }, load_seconds: 0.05 } },
      { id: 'out', type: 'nodetool.workflows.base_node.Preview', data: { name: 'out' } },
    ],
    edges: [{ source: 'load', sourceHandle: 'output', target: 'out', targetHandle: 'value' }],
  }),
);

describe('nodetool models, against a remote worker', () => {
  let hub: FixtureHub;
  let worker: RealWorker;

  beforeAll(async () => {
    hub = await startFixtureHub([{ repoId: REPO, files: { 'config.json': new TextEncoder().encode('{}'), 'weights.bin': new Uint8Array(300_000) } }], {
      bytesPerSecond: 2_000_000,
    });
    worker = await spawnRealWorker({
      token: TOKEN,
      env: { HF_HOME: mkdtempSync(join(tmpdir(), 'nt-cli-models-hf-')), HF_ENDPOINT: hub.url, HF_HUB_OFFLINE: '0' },
    });
  }, 60_000);

  afterAll(async () => {
    await worker?.kill();
    await hub?.close();
  });

  function nodetool(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) =>
      execFile(
        process.execPath,
        [BIN, ...args],
        { env: { ...process.env, NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN, ...env } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
  }

  /** One run of the LoadModel workflow: whether it had to load the model. */
  async function loadedNow(...flags: string[]): Promise<boolean> {
    const run = await nodetool(['workflows', 'run', workflowFile, '--json', ...flags]);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout).outputs.out.loaded_now;
  }

  it('lists an empty cache', async () => {
    const listed = await nodetool(['models', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('with --no-download fails a run whose model is missing, naming the command that fetches it', async () => {
    const run = await nodetool(['workflows', 'run', workflowFile, '--no-download']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`nodetool models download ${REPO}`);
  });

  it('downloads with NDJSON progress under --json, then lists the model with its size', async () => {
    const download = await nodetool(['models', 'download', REPO, '--json']);
    expect(download.code, download.stderr).toBe(0);
    const frames = download.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(frames[0]).toMatchObject({ repo_id: REPO, status: 'start', total_files: 2 });
    expect(frames.filter((frame) => frame.status === 'progress').length).toBeGreaterThan(1);
    expect(frames.at(-1)).toMatchObject({ status: 'completed', downloaded_bytes: frames[0].total_bytes, downloaded_files: 2 });

    const listed = await nodetool(['models', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`^${REPO}\\s+300 kB`, 'm'));
  });

  it('keeps a model loaded across CLI processes with --keep-alive, until evicted', async () => {
    expect(await loadedNow('--keep-alive', '5m')).toBe(true);
    expect(await loadedNow('--keep-alive', '5m')).toBe(false);
    const evicted = await nodetool(['models', 'evict', REPO]);
    expect(evicted.code).toBe(0);
    expect(evicted.stdout).toContain(`Released ${REPO}: 1 node freed its models.`);
    expect(await loadedNow('--keep-alive', '5m')).toBe(true);
    // --keep-alive 0 releases what an earlier --keep-alive run left.
    expect(await loadedNow('--keep-alive', '0')).toBe(false);
    expect(await loadedNow()).toBe(true);
    const nothing = await nodetool(['models', 'evict', REPO]);
    expect(nothing.stdout).toContain(`No keep-alive on this worker holds ${REPO}`);
  });

  it('without --keep-alive releases the model at run end, as before', async () => {
    expect(await loadedNow()).toBe(true);
    expect(await loadedNow()).toBe(true);
  });

  it('evicts every loaded model with --all', async () => {
    await loadedNow('--keep-alive', '-1');
    const evicted = await nodetool(['models', 'evict', '--all', '--json']);
    expect(JSON.parse(evicted.stdout).evicted).toEqual([`fixture::${REPO}`]);
    expect(await loadedNow()).toBe(true);
  });

  it('deletes a model; deleting it again exits 1', async () => {
    expect((await nodetool(['models', 'delete', REPO])).stdout).toContain(`Deleted ${REPO} from the worker's cache.`);
    const again = await nodetool(['models', 'delete', REPO]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${REPO} is not in the worker's cache`);
  });

  it('refuses bad usage with exit 2', async () => {
    for (const args of [['models'], ['models', 'evict'], ['models', 'evict', '--all', REPO], ['models', 'download'], ['models', 'frobnicate']]) {
      const run = await nodetool(args);
      expect(run.code, args.join(' ')).toBe(args.length === 1 ? 0 : 2);
    }
    const bad = await nodetool(['workflows', 'run', workflowFile, '--keep-alive', 'a while']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--keep-alive: "a while" is not a keep-alive');
  });

  it('says --keep-alive does nothing with a local worker process', async () => {
    const run = await nodetool(['workflows', 'run', workflowFile, '--keep-alive', '5m', '--no-download'], {
      ...FIXTURE_WORKER_ENV,
      NODETOOL_WORKER_URL: '',
      NODETOOL_PYTHON: projectWorkerPython('core'),
    });
    expect(run.stderr).toContain('--keep-alive has no effect with a local worker process');
  }, 60_000);
});
