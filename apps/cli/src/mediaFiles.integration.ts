import { readSettingIfSet } from '@nt/settings';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gapBetween, onTerminal } from './testing/onTerminal.js';
import { FIXTURE_WORKER_ENV, projectWorkerPython, startServerProcess, workerConnected, type ServerProcess } from '@nt/test-fixtures';

// Media as files, both ways: binary results written by `--output-dir` in process (streamed from the
// worker to the files) and downloaded from a server with `--server`; files given to a workflow's media
// inputs by `--input` (their bytes sent with a run in process, uploaded as assets with `--server`).
const BIN = fileURLToPath(new URL('../bin/nodetool.js', import.meta.url));
const SERVER_TOKEN = 'cli-output-server-token-77a1';
const dir = mkdtempSync(join(tmpdir(), 'nt-cli-files-'));
const media = join(dir, 'media.json');
writeFileSync(
  media,
  JSON.stringify({
    nodes: [
      { id: 'img', type: 'fixtures.MakeImage', data: { size: 24 } },
      { id: 'wav', type: 'fixtures.MakeAudio', data: { size: 3 * 1024 * 1024 } },
      { id: 'p1', type: 'nodetool.workflows.base_node.Preview', data: { name: 'picture' } },
      { id: 'p2', type: 'nodetool.workflows.base_node.Preview', data: { name: 'sound' } },
    ],
    edges: [
      { source: 'img', sourceHandle: 'output', target: 'p1', targetHandle: 'value' },
      { source: 'wav', sourceHandle: 'output', target: 'p2', targetHandle: 'value' },
    ],
  }),
);

// A 1x1 PNG for the image input, and nodetool's shape of a workflow that takes one.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082',
  'hex',
);
const photo = join(dir, 'photo.png');
writeFileSync(photo, PNG);
const photoEcho = join(dir, 'photo-echo.json');
writeFileSync(
  photoEcho,
  JSON.stringify({
    nodes: [
      { id: 'in', type: 'nodetool.input.ImageInput', data: { name: 'photo', value: { type: 'image', uri: '', asset_id: null, data: null } } },
      { id: 'echo', type: 'fixtures.EchoImage', data: {} },
      { id: 'out', type: 'nodetool.output.Output', data: { name: 'picture' } },
    ],
    edges: [
      { source: 'in', sourceHandle: 'output', target: 'echo', targetHandle: 'image' },
      { source: 'echo', sourceHandle: 'output', target: 'out', targetHandle: 'value' },
    ],
  }),
);

function nodetool(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...FIXTURE_WORKER_ENV, NODETOOL_PYTHON: projectWorkerPython('core'), ...env };
  delete childEnv['NODETOOL_WORKER_URL'];
  if (!readSettingIfSet(env, 'NODETOOL_SERVER_URL')) delete childEnv['NODETOOL_SERVER_URL'];
  return new Promise((resolve) =>
    execFile(process.execPath, [BIN, ...args], { env: childEnv }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('nodetool workflows run --output-dir', () => {
  it('writes each binary result to a file named by its node and bytes, and the result names the files', async () => {
    const out = join(dir, 'local');
    const run = await nodetool(['workflows', 'run', media, '--output-dir', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.outputs.picture).toMatchObject({ type: 'file', path: join(out, 'img-output.png'), content_type: 'image/png' });
    expect(result.outputs.sound).toMatchObject({ type: 'file', path: join(out, 'wav-output.wav'), size: 3 * 1024 * 1024 });
    expect(sha256(result.outputs.sound.path)).toBe(result.outputs.sound.sha256);
    // Nothing half-written is left, and nothing went inline.
    expect(readdirSync(out).sort()).toEqual(['img-output.png', 'wav-output.wav']);
    expect(run.stdout).not.toMatch(/base64/);
  }, 60_000);

  it('prints the files in the summary', async () => {
    const run = await nodetool(['workflows', 'run', media, '--output-dir', join(dir, 'summary')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/picture: image\/png, \d+ B → .*img-output\.png/);
    expect(run.stdout).toMatch(/sound: audio\/wav, 3\.1 MB → .*wav-output\.wav/);
  }, 60_000);
});

describe('nodetool workflows run --input', () => {
  it("sends a file's bytes to the image input it names, in a run in this process", async () => {
    const out = join(dir, 'input-local');
    const run = await nodetool(['workflows', 'run', photoEcho, '--input', `photo=${photo}`, '--output-dir', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.outputs.picture).toMatchObject({ type: 'file', content_type: 'image/png' });
    expect(sha256(result.outputs.picture.path)).toBe(sha256(photo));
  }, 60_000);

  it('exits 2 without running anything for an input given nothing, a file that is not there, or a name no input has', async () => {
    const none = await nodetool(['workflows', 'run', photoEcho]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      'input "photo" (node in, ImageInput) has no image set; give it in the run\'s params ({"photo": …}, or --input photo=path/to/file)',
    );
    const missing = await nodetool(['workflows', 'run', photoEcho, '--input', `photo=${join(dir, 'nope.png')}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--input photo: cannot read ${join(dir, 'nope.png')} (ENOENT)`);
    const typo = await nodetool(['workflows', 'run', photoEcho, '--input', `phot=${photo}`]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('params name "phot", which no input of this workflow has; did you mean "photo"?');
  }, 60_000);
});

describe('nodetool workflows run --server', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ NODETOOL_SERVER_TOKEN: SERVER_TOKEN, NODETOOL_DB: join(mkdtempSync(join(tmpdir(), 'nt-cli-server-')), 'server.db') });
    await workerConnected(server.url, 60_000, SERVER_TOKEN);
  }, 90_000);
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
  });

  it('runs on the server with its token and downloads its asset results into --output-dir', async () => {
    const out = join(dir, 'from-server');
    const run = await nodetool(['workflows', 'run', media, '--server', server.url, '--output-dir', out, '--json'], { NODETOOL_SERVER_TOKEN: SERVER_TOKEN });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe('completed');
    expect(result.outputs.sound).toMatchObject({ type: 'file', path: join(out, 'output-sound.wav') });
    expect(sha256(result.outputs.sound.path)).toBe(result.outputs.sound.sha256);
    expect(result.outputs.picture).toMatchObject({ type: 'file', path: join(out, 'output-picture.png'), content_type: 'image/png' });
    // The run is the server's: it is in its job list.
    const jobs = (await (await fetch(`${server.url}/api/jobs`, { headers: { authorization: `Bearer ${SERVER_TOKEN}` } })).json()) as {
      jobs: Array<{ id: string }>;
    };
    expect(jobs.jobs.map((job) => job.id)).toContain(result.job_id);
  }, 90_000);

  it('uploads a file given with --input as an asset of the server, and the run takes it', async () => {
    const out = join(dir, 'input-server');
    const run = await nodetool(['workflows', 'run', photoEcho, '--input', `photo=${photo}`, '--server', server.url, '--output-dir', out, '--json'], {
      NODETOOL_SERVER_TOKEN: SERVER_TOKEN,
    });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(sha256(result.outputs.picture.path)).toBe(sha256(photo));
    const kept = await fetch(`${server.url}/api/assets/${sha256(photo)}`, { headers: { authorization: `Bearer ${SERVER_TOKEN}` } });
    expect(kept.status).toBe(200);
  }, 60_000);

  it('says the server needs its token (exit 4) without it', async () => {
    const run = await nodetool(['workflows', 'run', media, '--server', server.url]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/needs its token: set NODETOOL_SERVER_TOKEN/);
  }, 60_000);
  it('prints a stream’s text as it arrives on a terminal, from the server’s events', async () => {
    const words = join(dir, 'words.json');
    writeFileSync(
      words,
      JSON.stringify({
        nodes: [
          { id: 'speak', type: 'fixtures.Words', data: { text: 'one two three four', delay: 0.4 } },
          { id: 'shown', type: 'nodetool.workflows.base_node.Preview', data: { name: 'answer' } },
        ],
        edges: [{ source: 'speak', sourceHandle: 'chunk', target: 'shown', targetHandle: 'value' }],
      }),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, NODETOOL_SERVER_TOKEN: SERVER_TOKEN };
    delete env['NODETOOL_WORKER_URL'];
    const run = await onTerminal([process.execPath, BIN, 'workflows', 'run', words, '--server', server.url], env);
    expect(run.code, run.output).toBe(0);
    expect(gapBetween(run, 'answer: one ', 'four')).toBeGreaterThanOrEqual(800);
    expect(run.output).toMatch(/answer: one two three four \r?\n/);
  }, 60_000);
});
