import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realInstances, startFixtureProviderApi, type FixtureProviderApi } from '@nt/providers/testing';

const BIN = fileURLToPath(new URL('../bin/nodetool.js', import.meta.url));
const SERVER_MAIN = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));
const KEYS = { runpod: 'rpa_cli_rent_suite_key', vast: 'vast-cli-rent-suite-key' };
const SERVER_TOKEN = 'cli-rent-suite-server-token-0123456789';

function nodetool(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

// The rent commands as a user types them, against a real server process and fixtures of the
// providers' APIs whose instances boot into real worker processes (behind TLS, as the image serves).
describe('nodetool worker profile / create / list / stop / start / destroy', () => {
  let providers: FixtureProviderApi;
  let server: ChildProcess;
  let serverUrl = '';
  const instances = realInstances();
  let env: Record<string, string>;

  beforeAll(async () => {
    providers = await startFixtureProviderApi(KEYS, {
      bootDelayMs: 200,
      vastOffers: [{ id: 21, gpu_name: 'RTX 4090', num_gpus: 1, dph_base: 0.35, storage_cost: 0 }],
      onBoot: (boot) => instances.onBoot(boot),
      onHalt: (boot) => instances.onHalt(boot),
    });
    const dir = mkdtempSync(join(tmpdir(), 'nt-cli-rent-'));
    server = spawn(process.execPath, [SERVER_MAIN], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: '0',
        NODETOOL_DB: join(dir, 'server.db'),
        NODETOOL_SERVER_TOKEN: SERVER_TOKEN,
        NODETOOL_LOCAL_WORKER: '0',
        NODETOOL_WORKER_URL: '',
        VAST_API_KEY: KEYS.vast,
        NODETOOL_VAST_API_URL: providers.vastUrl,
        NODETOOL_RUNPOD_API_URL: providers.runpodUrl,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    serverUrl = await new Promise<string>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) resolve(match[1] as string);
      };
      server.stdout?.on('data', onData);
      server.stderr?.on('data', onData);
      server.once('exit', (code) => reject(new Error(`the server exited (${code}): ${output}`)));
    });
    env = { NODETOOL_SERVER_URL: serverUrl, NODETOOL_SERVER_TOKEN: SERVER_TOKEN };
  }, 60_000);

  afterAll(async () => {
    server?.kill('SIGTERM');
    await instances.stopAll();
    await providers?.close();
  });

  it('adds a profile from YAML, lists and shows it, and refuses one that holds a key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nt-profile-'));
    writeFileSync(
      join(dir, 'rtx.yaml'),
      ['name: rtx', 'provider: vast', 'gpu_type: RTX_4090', 'image: ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4', 'max_price_per_hour: 0.5'].join(
        '\n',
      ),
    );
    const added = await nodetool(['worker', 'profile', 'add', join(dir, 'rtx.yaml')], env);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('added the profile rtx');
    expect((await nodetool(['worker', 'profile', 'list'], env)).stdout).toMatch(/rtx\s+vast\s+1× RTX_4090\s+≤ \$0.5\/h/);
    expect((await nodetool(['worker', 'profile', 'show', 'rtx'], env)).stdout).toMatch(/volume_mount: \/data\n/);
    writeFileSync(
      join(dir, 'leaky.json'),
      JSON.stringify({ name: 'leaky', provider: 'vast', gpu_type: 'x', image: 'a:b', max_price_per_hour: 1, vast_key: 'sk-oops' }),
    );
    const leaky = await nodetool(['worker', 'profile', 'add', join(dir, 'leaky.json')], env);
    expect(leaky.code).toBe(2);
    expect(leaky.stderr).toMatch(/unknown profile field "vast_key" \(secrets are never stored/);
    expect((await nodetool(['worker', 'profile', 'list'], { ...env, NODETOOL_SERVER_TOKEN: 'wrong-token-wrong-token' })).code).toBe(4);
  });

  it('creates a worker with --attach, following it to healthy; lists it; stops, starts and destroys it (--yes without a terminal)', async () => {
    const created = await nodetool(['worker', 'create', 'rtx', '--attach'], env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toMatch(/vast:\d+: provisioning/);
    expect(created.stderr).toMatch(/vast:\d+: healthy/);
    const id = /(vast:\d+) is ready at vast:\/\/\d+\?tls=1 \(\$0.35\/h\), in the server's pool/.exec(created.stdout)?.[1] as string;
    expect(id, created.stdout).toBeDefined();
    expect((await nodetool(['worker', 'list'], env)).stdout).toMatch(
      new RegExp(`${id}\\s+running\\s+1× RTX 4090\\s+\\$0.350\\s+\\S+\\s+\\$0.00\\s+yes\\s+rtx`),
    );
    const stop = await nodetool(['worker', 'stop', id], env);
    expect(stop.stdout, stop.stderr).toContain(`${id}: stopped (asked)`);
    expect((await nodetool(['worker', 'start', id], env)).stdout).toContain(`${id}: starting (asked)`);
    const unconfirmed = await nodetool(['worker', 'destroy', id], env);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/pass --yes/);
    const destroyed = await nodetool(['worker', 'destroy', id, '--yes'], env);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(destroyed.stdout).toMatch(new RegExp(`${id}: destroyed \\(cost \\$\\d+\\.\\d\\d in all\\)`));
    expect(providers.instance(id.split(':')[1] as string)).toBeUndefined();
  }, 120_000);

  it('refuses an unknown profile with exit 2, and says when the server is not there (exit 3)', async () => {
    const unknown = await nodetool(['worker', 'create', 'nope'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no worker profile named "nope"/);
    const away = await nodetool(['worker', 'list'], { ...env, NODETOOL_SERVER_URL: 'http://127.0.0.1:9' });
    expect(away.code).toBe(3);
    expect(away.stderr).toMatch(/cannot reach the server at http:\/\/127\.0\.0\.1:9/);
  });

  it('adds a scaled profile by flags; a run for its group with no worker says what it waits for, then completes; worker capacity shows it', async () => {
    const added = await nodetool(
      [
        'worker',
        'profile',
        'add',
        '--name',
        'auto',
        '--provider',
        'vast',
        '--gpu-type',
        'RTX_4090',
        '--image',
        'ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4',
        '--max-price',
        '0.5',
        '--namespaces',
        'fixtures',
        '--scale-max',
        '1',
        '--scale-release-after',
        '600',
      ],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
    expect((await nodetool(['worker', 'profile', 'list'], env)).stdout).toMatch(
      /auto\s+vast\s+1× RTX_4090\s+≤ \$0.5\/h\s+scale 0-1 \(auto\), destroy after 600 s idle/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'nt-scaled-run-'));
    writeFileSync(join(dir, 'nap.json'), JSON.stringify({ nodes: [{ id: 'nap', type: 'fixtures.Sleep', data: { seconds: 0.2, steps: 1 } }], edges: [] }));
    // --group: only the group's workers may take it, so it waits for the one the scaler rents.
    const run = await nodetool(['workflows', 'run', join(dir, 'nap.json'), '--group', 'auto'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/waiting for a worker: renting 1× RTX 4090 on Vast\.ai at \$0\.35\/h \(vast:\d+\)/);
    const capacity = await nodetool(['worker', 'capacity'], env);
    expect(capacity.code, capacity.stderr).toBe(0);
    expect(capacity.stdout).toMatch(/^spent today \(UTC\): \$\d+\.\d\d of \$20 \(NODETOOL_RENT_MAX_SPEND_PER_DAY\)/);
    expect(capacity.stdout).toMatch(/auto\s+scale 0-1 in auto\s+booting 0, running 1, stopped 0/);
    // --group without a server is a usage error, said as such.
    const local = await nodetool(['workflows', 'run', join(dir, 'nap.json'), '--group', 'auto'], { NODETOOL_SERVER_URL: '' });
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/--group names the server's worker group: it needs --server/);
  }, 120_000);
});
