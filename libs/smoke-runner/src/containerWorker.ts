import { execFile, execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const at = (...parts: string[]) => resolve(REPO, ...parts);

/**
 * Worker containers for checks: the engine, a container published on 127.0.0.1
 * only, its health, and the model volume. Tests reach containers only through
 * ports published on 127.0.0.1, never a container's bridge address.
 */

/** DOCKER_HOST of the engine tools/engine/ensure-engine.sh found or started. */
export function engineHost(): string {
  const out = execFileSync('bash', [at('tools/engine/ensure-engine.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').pop() as string;
}

/** Runs the docker client against our engine; rejects with its stderr. */
export function docker(args: string[], host = process.env['DOCKER_HOST'] ?? engineHost(), env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('docker', args, { env: { ...process.env, ...env, DOCKER_HOST: host }, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`docker ${args[0]} failed: ${stderr || error.message}`)) : resolve(stdout.trim()),
    ),
  );
}

/** A container's log as the user sees it: its output and its error stream together. */
export function containerLogs(name: string, host = process.env['DOCKER_HOST'] ?? engineHost()): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('docker', ['logs', name], { env: { ...process.env, DOCKER_HOST: host }, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`docker logs failed: ${stderr || error.message}`)) : resolve(stdout + stderr),
    ),
  );
}

export interface RunningContainer {
  name: string;
  url: string;
  remove(): Promise<void>;
}

/**
 * Starts a worker container published on 127.0.0.1 only (a free port picked by
 * the engine), with a short health interval so its status is known in seconds.
 */
export async function startWorkerContainer(
  image: string,
  options: {
    token?: string;
    volume?: string;
    env?: Record<string, string>;
    /** Host networking, the worker bound to 127.0.0.1:<port>: for a container that must reach a service on the host's loopback. */
    hostNetworkPort?: number;
    /** Host directories mounted read-only: `{ '/host/dir': '/in/container' }`. */
    mounts?: Record<string, string>;
    /** Host directories mounted read-write, as a provider mounts its volume: `{ '/host/dir': '/workspace' }`. */
    binds?: Record<string, string>;
    /** Start as this user (`10001:10001`, with every capability dropped and no privilege gain, as compose does); default: the image's (root). */
    user?: string;
    /** Variables passed by name only (their values never in an argv), like the token. */
    secretEnv?: Record<string, string>;
  } = {},
): Promise<RunningContainer> {
  const name = `nt-e2e-${Math.random().toString(36).slice(2, 10)}`;
  const network =
    options.hostNetworkPort === undefined
      ? ['-p', '127.0.0.1::7777']
      : ['--network', 'host', '-e', 'NODETOOL_WORKER_HOST=127.0.0.1', '-e', `NODETOOL_WORKER_PORT=${options.hostNetworkPort}`];
  const args = ['run', '-d', '--init', '--name', name, ...network, '--health-interval', '2s', '--health-start-period', '60s'];
  // By name only: docker takes the value from its own environment, so the token is never in an argv (ps).
  if (options.token) args.push('-e', 'NODETOOL_WORKER_TOKEN');
  if (options.volume) args.push('-v', `${options.volume}:/app/huggingface`);
  for (const [host, inside] of Object.entries(options.mounts ?? {})) args.push('-v', `${host}:${inside}:ro`);
  for (const [host, inside] of Object.entries(options.binds ?? {})) args.push('-v', `${host}:${inside}`);
  if (options.user) args.push('--user', options.user, '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges');
  for (const [key, value] of Object.entries(options.env ?? {})) args.push('-e', `${key}=${value}`);
  for (const key of Object.keys(options.secretEnv ?? {})) args.push('-e', key);
  await docker([...args, image], undefined, { ...(options.token ? { NODETOOL_WORKER_TOKEN: options.token } : {}), ...(options.secretEnv ?? {}) });
  const published = options.hostNetworkPort === undefined ? await docker(['port', name, '7777/tcp']) : `127.0.0.1:${options.hostNetworkPort}`;
  const port = /127\.0\.0\.1:(\d+)/.exec(published)?.[1];
  if (!port) throw new Error(`container ${name} published no 127.0.0.1 port: ${published}`);
  const url = `ws://127.0.0.1:${port}`;
  await waitFor(async () => (await docker(['logs', name]).catch(() => '')) !== '' && (await tcpReady(url)), 120_000, `${name} to listen`);
  return { name, url, remove: async () => void (await docker(['rm', '-f', name]).catch(() => '')) };
}

export async function healthOf(name: string): Promise<string> {
  return docker(['inspect', '--format', '{{.State.Health.Status}}', name]);
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function tcpReady(url: string): Promise<boolean> {
  const { createConnection } = await import('node:net');
  const { hostname, port } = new URL(url.replace(/^ws/, 'http'));
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Copies the local HF cache (apps/worker/.hf-home) into a volume, for a container that runs offline. */
export function seedHfCache(volume: string, image: string): Promise<void> {
  return new Promise((resolvePromise, reject) =>
    execFile('bash', [at('tools/docker/seed-hf-cache.sh'), volume, image], { env: process.env }, (error, _out, stderr) =>
      error ? reject(new Error(`seeding ${volume} failed: ${stderr}`)) : resolvePromise(),
    ),
  );
}

/** A port free on 127.0.0.1 right now (for a host-network container to bind). */
export async function freeLoopbackPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** Whether the engine (started when needed, see engineHost) holds the image. */
export async function imageAvailable(image: string): Promise<boolean> {
  try {
    await docker(['image', 'inspect', image]);
    return true;
  } catch {
    return false;
  }
}

/** The uid the worker process (python -m nodetool.worker) runs as inside a container, read from /proc. */
export function workerUid(name: string, host = process.env['DOCKER_HOST'] ?? engineHost()): Promise<string> {
  return docker(
    [
      'exec',
      name,
      'sh',
      '-c',
      'for p in /proc/[0-9]*; do if tr "\\0" " " < $p/cmdline 2>/dev/null | grep -q "^python -m nodetool.worker"; then sed -n "s/^Uid:[[:space:]]*\\([0-9]*\\).*/\\1/p" $p/status; fi; done',
    ],
    host,
  );
}
