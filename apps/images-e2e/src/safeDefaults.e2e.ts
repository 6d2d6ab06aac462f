import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPythonBridge } from '@nt/bridge';
import { docker, healthOf, waitFor } from '@nt/smoke-runner';
import { compose, freePort, tokenFile } from './composeTools.js';

// The worker is never started open and never shows its token: the images read a token file, and
// compose publishes on 127.0.0.1 only and refuses to start without one.
const CORE_IMAGE = process.env['CORE_IMAGE'] ?? 'nodetool-core:local';
const HF_IMAGE = process.env['HF_IMAGE'] ?? 'nodetool-hf:local';
const TOKEN = `file-token-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;

async function statusThroughBridge(url: string, token: string): Promise<string> {
  const bridge = createPythonBridge({ wsUrl: url, workerToken: token, reconnect: { enabled: false }, keepalive: false });
  try {
    await bridge.connect();
    return bridge.state;
  } finally {
    await bridge.close();
  }
}

describe(`${CORE_IMAGE} with its token in a file (Docker secrets)`, () => {
  const names: string[] = [];
  afterAll(async () => {
    for (const name of names) await docker(['rm', '-f', name]).catch(() => '');
  });

  it('reads NODETOOL_WORKER_TOKEN_FILE, turns healthy, takes the token, and keeps it out of docker inspect', async () => {
    const name = `nt-e2e-file-${Math.random().toString(36).slice(2, 8)}`;
    names.push(name);
    const file = tokenFile(`${TOKEN}\n`);
    await docker([
      'run',
      '-d',
      '--init',
      '--name',
      name,
      '-p',
      '127.0.0.1::7777',
      '--health-interval',
      '2s',
      '-v',
      `${file}:/run/secrets/worker_token:ro`,
      '-e',
      'NODETOOL_WORKER_TOKEN_FILE=/run/secrets/worker_token',
      CORE_IMAGE,
    ]);
    await waitFor(async () => (await healthOf(name)) === 'healthy', 90_000, `${name} to report healthy`);
    const port = /127\.0\.0\.1:(\d+)/.exec(await docker(['port', name, '7777/tcp']))?.[1];
    expect(await statusThroughBridge(`ws://127.0.0.1:${port}`, TOKEN)).toBe('connected');
    await expect(statusThroughBridge(`ws://127.0.0.1:${port}`, 'not-the-token-at-all')).rejects.toThrow(/rejected the token \(HTTP 401\)/);
    const inspected = await docker(['inspect', name]);
    expect(inspected).not.toContain(TOKEN);
    expect(inspected).toContain('NODETOOL_WORKER_TOKEN_FILE=/run/secrets/worker_token');
  });

  it('refuses to start a worker without any token, in one line naming the settings; NODETOOL_WORKER_ALLOW_OPEN=1 lets one start open', async () => {
    const refused = await docker(['run', '--rm', CORE_IMAGE]).catch((error: Error) => error.message);
    expect(refused).toMatch(
      /nodetool worker: refusing to start without a token: set NODETOOL_WORKER_TOKEN or NODETOOL_WORKER_TOKEN_FILE \(NODETOOL_WORKER_ALLOW_OPEN=1 only for a port no one else can reach\)/,
    );
    const badFlag = await docker(['run', '--rm', '-e', 'NODETOOL_WORKER_ALLOW_OPEN=yes', CORE_IMAGE]).catch((error: Error) => error.message);
    expect(badFlag).toMatch(/NODETOOL_WORKER_ALLOW_OPEN must be 1 or 0, got "yes"/);
    // Another command is no worker: it runs without a token.
    expect(await docker(['run', '--rm', CORE_IMAGE, 'python', '-c', 'print("no worker here")'])).toBe('no worker here');
    const name = `nt-e2e-open-${Math.random().toString(36).slice(2, 8)}`;
    names.push(name);
    await docker(['run', '-d', '--init', '--name', name, '-p', '127.0.0.1::7777', '--health-interval', '2s', '-e', 'NODETOOL_WORKER_ALLOW_OPEN=1', CORE_IMAGE]);
    await waitFor(async () => (await healthOf(name)) === 'healthy', 90_000, `${name} to report healthy`);
    const port = /127\.0\.0\.1:(\d+)/.exec(await docker(['port', name, '7777/tcp']))?.[1];
    expect(await statusThroughBridge(`ws://127.0.0.1:${port}`, '')).toBe('connected');
  });

  it('refuses to start with an empty or unreadable token file, saying why, instead of running open', async () => {
    const empty = await docker([
      'run',
      '--rm',
      '-v',
      `${tokenFile('\n')}:/run/secrets/t:ro`,
      '-e',
      'NODETOOL_WORKER_TOKEN_FILE=/run/secrets/t',
      CORE_IMAGE,
    ]).catch((error: Error) => error.message);
    expect(empty).toMatch(/the token file \/run\/secrets\/t is empty/);
    const unreadable = tokenFile(TOKEN);
    chmodSync(unreadable, 0o600);
    const refused = await docker(['run', '--rm', '-v', `${unreadable}:/run/secrets/t:ro`, '-e', 'NODETOOL_WORKER_TOKEN_FILE=/run/secrets/t', CORE_IMAGE]).catch(
      (error: Error) => error.message,
    );
    expect(refused).toMatch(/cannot read the token file \/run\/secrets\/t as uid 10001/);
  });
});

describe('docker/compose.yaml, safe by default', () => {
  const project = `ntsafe${Math.random().toString(36).slice(2, 8)}`;
  let env: Record<string, string>;
  afterAll(async () => {
    await compose(['-p', project, '--profile', 'cpu', 'down', '-v'], env ?? {});
  });

  it('refuses to bring the worker up without a token file', async () => {
    env = {
      HF_IMAGE,
      CORE_IMAGE,
      NODETOOL_WORKER_HOST_PORT: String(await freePort()),
      NODETOOL_WORKER_TOKEN_FILE: join(mkdtempSync(join(tmpdir(), 'nt-none-')), 'worker-token'),
    };
    const up = await compose(['-p', project, '--profile', 'cpu', 'up', '-d', '--no-build', 'hf-worker'], env);
    expect(up.code).not.toBe(0);
    expect(up.output).toMatch(/worker-token/);
    expect(await docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`])).toBe('');
  });

  it('with a token file: healthy, published on 127.0.0.1 only, no capabilities, no privilege gain, an init and a memory cap', async () => {
    env = { ...env, NODETOOL_WORKER_TOKEN_FILE: tokenFile(`${TOKEN}\n`), NODETOOL_WORKER_MEMORY: '3g' };
    const up = await compose(['-p', project, '--profile', 'cpu', 'up', '-d', '--no-build', 'hf-worker'], env);
    expect(up.code, up.output).toBe(0);
    const id = (
      await docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', 'label=com.docker.compose.service=hf-worker'])
    ).trim();
    await waitFor(async () => (await healthOf(id)) === 'healthy', 120_000, 'the compose worker to report healthy');
    expect(await docker(['port', id, '7777/tcp'])).toBe(`127.0.0.1:${env['NODETOOL_WORKER_HOST_PORT']}`);
    const host = JSON.parse(await docker(['inspect', '--format', '{{json .HostConfig}}', id])) as {
      CapDrop: string[];
      SecurityOpt: string[];
      Init: boolean;
      Memory: number;
    };
    expect(host.CapDrop.map((cap) => cap.toUpperCase())).toContain('ALL');
    expect(host.SecurityOpt).toContain('no-new-privileges:true');
    expect(host.Init).toBe(true);
    expect(host.Memory).toBe(3 * 1024 ** 3);
    expect(await docker(['inspect', id])).not.toContain(TOKEN);
    expect(await statusThroughBridge(`ws://127.0.0.1:${env['NODETOOL_WORKER_HOST_PORT']}`, TOKEN)).toBe('connected');
  });
});
