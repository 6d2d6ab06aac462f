import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAuthConformance, makeTestCertificate } from '@nt/test-fixtures';
import {
  checkSmokeResult,
  containerLogs,
  docker,
  healthOf,
  seedHfCache,
  startWorkerContainer,
  waitFor,
  workerUid,
  type RunningContainer,
} from '@nt/smoke-runner';
import { at } from './repoPaths.js';

const CORE_IMAGE = process.env['CORE_IMAGE'] ?? 'nodetool-core:local';
const HF_IMAGE = process.env['HF_IMAGE'] ?? 'nodetool-hf:local';
const TOKEN = `e2e-token-${Math.random().toString(36).slice(2)}`;

function nodetool(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [at('apps/cli/bin/nodetool.js'), ...args], { env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

async function expectHealthy(container: RunningContainer): Promise<void> {
  await waitFor(async () => (await healthOf(container.name)) === 'healthy', 90_000, `${container.name} to report healthy`);
}

describe(`${CORE_IMAGE} container`, () => {
  let worker: RunningContainer;
  beforeAll(async () => {
    worker = await startWorkerContainer(CORE_IMAGE, { token: TOKEN });
  });
  afterAll(() => worker?.remove());

  it('reports healthy with a token set, while a probe without the header is refused (the reference image probe)', async () => {
    await expectHealthy(worker);
    const headerless = await docker(['exec', '-e', 'NODETOOL_WORKER_TOKEN=', worker.name, 'python', '/opt/nodetool/healthcheck.py']).catch(
      (e: Error) => e.message,
    );
    expect(headerless).toMatch(/unhealthy: the worker answered HTTP 401/);
  });

  it('runs the worker as a non-root user (started as root, as a provider starts it, the entrypoint drops to 10001)', async () => {
    expect(await workerUid(worker.name)).toBe('10001');
  });

  it('answers worker status through the bridge with the token', async () => {
    const run = await nodetool(['worker', 'status', '--json'], { NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ transport: 'websocket', protocol_version: 6 });
  });
});

describe(`${CORE_IMAGE} container serving wss:// on its own port (stunnel in front of the worker)`, () => {
  const containers: RunningContainer[] = [];
  afterAll(async () => {
    for (const container of containers) await container.remove();
  });
  const wss = (container: RunningContainer) => container.url.replace('ws://', 'wss://');

  it('makes a self-signed certificate, logs its fingerprint, stays healthy, and takes only a client that pins it', async () => {
    const worker = await startWorkerContainer(CORE_IMAGE, { token: TOKEN, env: { NODETOOL_WORKER_TLS: 'self-signed' } });
    containers.push(worker);
    await expectHealthy(worker);
    const logs = await containerLogs(worker.name);
    const fingerprint = /NODETOOL_WORKER_TLS_FINGERPRINT=([0-9A-F:]{95})/.exec(logs)?.[1];
    expect(fingerprint, logs).toBeDefined();
    expect(logs).not.toContain(TOKEN);

    const pinned = await nodetool(['worker', 'status', '--json'], {
      NODETOOL_WORKER_URL: wss(worker),
      NODETOOL_WORKER_TOKEN: TOKEN,
      NODETOOL_WORKER_TLS_FINGERPRINT: fingerprint as string,
    });
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(JSON.parse(pinned.stdout)).toMatchObject({ transport: 'websocket', protocol_version: 6 });

    const wrongPin = await nodetool(['worker', 'status'], {
      NODETOOL_WORKER_URL: wss(worker),
      NODETOOL_WORKER_TOKEN: TOKEN,
      NODETOOL_WORKER_TLS_FINGERPRINT: 'AB'.repeat(32),
    });
    expect(wrongPin.code).toBe(3);
    expect(wrongPin.stderr).toMatch(new RegExp(`presented a certificate with SHA-256 fingerprint ${fingerprint}, not the pinned`));
    const unpinned = await nodetool(['worker', 'status'], { NODETOOL_WORKER_URL: wss(worker), NODETOOL_WORKER_TOKEN: TOKEN });
    expect(unpinned.code).toBe(3);
    expect(unpinned.stderr).toMatch(/self.signed certificate/);
    const plain = await nodetool(['worker', 'status'], { NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN });
    expect(plain.code).toBe(3);
    expect(plain.stderr).toMatch(/does the worker serve TLS on this port\? then use wss:\/\//);
    for (const run of [pinned, wrongPin, unpinned, plain]) expect(run.stdout + run.stderr).not.toContain(TOKEN);
    // The worker itself listens on the container's loopback only: nothing reaches it around stunnel.
    expect(await docker(['exec', worker.name, 'sh', '-c', 'cat /proc/net/tcp | awk \'$4 == "0A" {print $2}\''])).toMatch(/^0100007F:4571$/m);
  }, 240_000);

  it('serves a certificate of your own from mounted files, trusted by the client through NODETOOL_WORKER_CA', async () => {
    const own = await makeTestCertificate({ commonName: '127.0.0.1', ip: '127.0.0.1' });
    const worker = await startWorkerContainer(CORE_IMAGE, {
      token: TOKEN,
      mounts: { [own.dir]: '/tls' },
      env: { NODETOOL_WORKER_TLS_CERT: '/tls/cert.pem', NODETOOL_WORKER_TLS_KEY: '/tls/key.pem' },
    });
    containers.push(worker);
    await expectHealthy(worker);
    const trusted = await nodetool(['worker', 'status', '--json'], {
      NODETOOL_WORKER_URL: wss(worker),
      NODETOOL_WORKER_TOKEN: TOKEN,
      NODETOOL_WORKER_CA: own.certFile,
    });
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(JSON.parse(trusted.stdout)).toMatchObject({ protocol_version: 6 });
  }, 240_000);

  it('serves a certificate given as values (NODETOOL_WORKER_TLS_CERT_PEM/_KEY_PEM, as nodetool worker create passes it), pinned by the client', async () => {
    const pem = await makeTestCertificate();
    const worker = await startWorkerContainer(CORE_IMAGE, {
      token: TOKEN,
      env: {},
      secretEnv: { NODETOOL_WORKER_TLS_CERT_PEM: pem.cert, NODETOOL_WORKER_TLS_KEY_PEM: pem.key },
    });
    containers.push(worker);
    await expectHealthy(worker);
    const pinned = await nodetool(['worker', 'status', '--json'], {
      NODETOOL_WORKER_URL: wss(worker),
      NODETOOL_WORKER_TOKEN: TOKEN,
      NODETOOL_WORKER_TLS_FINGERPRINT: pem.fingerprint,
    });
    expect(pinned.code, pinned.stderr).toBe(0);
    // The entrypoint wrote the key to a file only the worker's user reads and dropped it from the environment
    // the worker and stunnel start with (the container's own environment is the platform's, as for the token).
    // As the worker's user: reading another user's /proc/<pid>/environ needs a capability the container has not.
    const environ = await docker([
      'exec',
      '--user',
      '10001',
      worker.name,
      'sh',
      '-c',
      'for p in /proc/[0-9]*; do [ "$p" = "/proc/$$" ] && continue; if tr "\\0" " " < $p/cmdline 2>/dev/null | grep -qE "^(python -m nodetool.worker|stunnel) "; then echo "== $p"; tr "\\0" "\\n" < $p/environ; fi; done',
    ]);
    expect(environ).toMatch(/== \/proc\/\d+/);
    expect(environ).not.toContain('PRIVATE KEY');
  }, 240_000);

  it('takes its port from the variable NODETOOL_WORKER_PORT_ENV names (Vast.ai puts an identity port in VAST_TCP_PORT_<n>), health check included', async () => {
    const worker = await startWorkerContainer(CORE_IMAGE, {
      token: TOKEN,
      env: { NODETOOL_WORKER_PORT_ENV: 'VAST_TCP_PORT_70000', VAST_TCP_PORT_70000: '7777', NODETOOL_WORKER_PORT: '1' },
    });
    containers.push(worker);
    await expectHealthy(worker);
    const run = await nodetool(['worker', 'status', '--json'], { NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN });
    expect(run.code, run.stderr).toBe(0);
  }, 240_000);

  it('refuses to start on a TLS setting that cannot work, saying which', async () => {
    const name = `nt-e2e-badtls-${Math.random().toString(36).slice(2, 8)}`;
    const withToken = { NODETOOL_WORKER_TOKEN: TOKEN };
    const output = await docker(
      ['run', '--rm', '--name', name, '-e', 'NODETOOL_WORKER_TOKEN', '-e', 'NODETOOL_WORKER_TLS_CERT=/nowhere/cert.pem', CORE_IMAGE],
      undefined,
      withToken,
    ).catch((error: Error) => error.message);
    expect(output).toMatch(/NODETOOL_WORKER_TLS_KEY is not set: TLS with your own certificate needs both/);
    const port = await docker(
      ['run', '--rm', '-e', 'NODETOOL_WORKER_TOKEN', '-e', 'NODETOOL_WORKER_PORT_ENV=VAST_TCP_PORT_70000', CORE_IMAGE],
      undefined,
      withToken,
    ).catch((error: Error) => error.message);
    expect(port).toMatch(/VAST_TCP_PORT_70000 \(named by NODETOOL_WORKER_PORT_ENV\) must be a port number, got ""/);
  }, 120_000);
});

describeAuthConformance(
  `${CORE_IMAGE} container`,
  async (token) => {
    // The worker's own contract without a token needs the image's one way to start open (127.0.0.1 only here).
    const container = await startWorkerContainer(CORE_IMAGE, { token, env: token ? {} : { NODETOOL_WORKER_ALLOW_OPEN: '1' } });
    return { url: container.url, stop: () => container.remove() };
  },
  { timeoutMs: 180_000 },
);

describe(`${HF_IMAGE} container with the model offline in its cache volume`, () => {
  const volume = `nt-e2e-hf-cache-${Math.random().toString(36).slice(2, 8)}`;
  let worker: RunningContainer;
  beforeAll(async () => {
    await seedHfCache(volume, HF_IMAGE);
    worker = await startWorkerContainer(HF_IMAGE, { token: TOKEN, volume, env: { HF_HUB_OFFLINE: '1' } });
  });
  afterAll(async () => {
    await worker?.remove();
    await docker(['volume', 'rm', '-f', volume]).catch(() => '');
  });

  it('reports healthy with a token set', async () => {
    await expectHealthy(worker);
  });

  it('lists the HuggingFace nodes through nodetool worker status', async () => {
    const run = await nodetool(['worker', 'status', '--json'], { NODETOOL_WORKER_URL: worker.url, NODETOOL_WORKER_TOKEN: TOKEN });
    expect(run.code).toBe(0);
    const status = JSON.parse(run.stdout);
    expect(status.namespaces).toContain('huggingface');
    expect(status.node_count).toBeGreaterThan(100);
  });

  it('runs the smoke workflow against the container and returns real embeddings', async () => {
    const run = await nodetool(['workflows', 'run', at('examples/hf-worker-smoke.json'), '--json'], {
      NODETOOL_WORKER_URL: worker.url,
      NODETOOL_WORKER_TOKEN: TOKEN,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe('completed');
    expect(checkSmokeResult(result.outputs).failures).toEqual([]);
  });
});

describeAuthConformance(
  `${HF_IMAGE} container`,
  async (token) => {
    // The worker's own contract without a token needs the image's one way to start open (127.0.0.1 only here).
    const container = await startWorkerContainer(HF_IMAGE, { token, env: token ? {} : { NODETOOL_WORKER_ALLOW_OPEN: '1' } });
    return { url: container.url, stop: () => container.remove() };
  },
  { timeoutMs: 180_000 },
);
