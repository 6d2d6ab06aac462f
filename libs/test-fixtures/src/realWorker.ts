import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The interpreter of a project worker environment: the core one with the
 * fixture nodes (`nx run worker:setup`), or the HuggingFace one (`setup:hf`).
 * Fixture suites name it explicitly so they never depend on which exists.
 */
export function projectWorkerPython(flavour: 'core' | 'hf' = 'core'): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'apps', 'worker', flavour === 'hf' ? '.venv-hf' : '.venv', 'bin', 'python');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`The ${flavour} worker environment is missing: run \`npx nx run worker:setup${flavour === 'hf' ? ':hf' : ''}\` first`);
}

/** The node types of the test fixture package (apps/worker/fixture-nodes), sorted: what discover must list. */
export const FIXTURE_NODE_TYPES = [
  'fixtures.BytesEcho',
  'fixtures.Count',
  'fixtures.Echo',
  'fixtures.EchoImage',
  'fixtures.Fail',
  'fixtures.Frames',
  'fixtures.LoadModel',
  'fixtures.Log',
  'fixtures.MakeAudio',
  'fixtures.MakeBlob',
  'fixtures.MakeBytes',
  'fixtures.MakeImage',
  'fixtures.RequireSettings',
  'fixtures.Silent',
  'fixtures.Sleep',
  'fixtures.StallMidFrame',
  'fixtures.Steps',
  'fixtures.Words',
];

/**
 * The fixture suites' worker: fixture nodes only, and an empty model cache of its
 * own, so results do not depend on what the HuggingFace setup put in the shared one.
 */
export const FIXTURE_WORKER_ENV: Record<string, string> = {
  NODETOOL_WORKER_NAMESPACES: 'fixtures',
  HF_HOME: mkdtempSync(join(tmpdir(), 'nt-fixture-hf-home-')),
};

/** Options for a stdio bridge that runs the fixture worker. */
export function fixtureStdioOptions(): { pythonPath: string; workerEnv: Record<string, string> } {
  return { pythonPath: projectWorkerPython('core'), workerEnv: FIXTURE_WORKER_ENV };
}

export interface RealWorker {
  url: string;
  port: number;
  process: ChildProcess;
  /** Last stderr text, for diagnosing a failed start. */
  stderr(): string;
  /** SIGKILL, as a crash would; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGINT, the worker's graceful stop. */
  stop(): Promise<void>;
}

/**
 * Starts the real nodetool-core worker (`python -m nodetool.worker`) in
 * WebSocket mode on 127.0.0.1 and resolves once it printed its port.
 */
export async function spawnRealWorker(
  options: { token?: string; port?: number; host?: string; env?: Record<string, string>; startupTimeoutMs?: number; flavour?: 'core' | 'hf' } = {},
): Promise<RealWorker> {
  // Only the fixture nodes by default: the same environment may also hold the HuggingFace pack.
  const env: NodeJS.ProcessEnv = { ...process.env, ...FIXTURE_WORKER_ENV, ...options.env, PYTHONUNBUFFERED: '1' };
  delete env['NODETOOL_WORKER_TOKEN'];
  if (options.token) env['NODETOOL_WORKER_TOKEN'] = options.token;
  const child = spawn(
    projectWorkerPython(options.flavour ?? 'core'),
    ['-m', 'nodetool.worker', '--host', options.host ?? '127.0.0.1', '--port', String(options.port ?? 0)],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr = (stderr + text).slice(-8_000)));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));

  const port = await new Promise<number>((resolvePort, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the real worker did not report its port in time\n${stderr}`));
    }, options.startupTimeoutMs ?? 60_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      stdout += text;
      const match = /^NODETOOL_WORKER_PORT=(\d+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the real worker exited with code ${code} before listening\n${stderr}`));
    });
  });

  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    url: `ws://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    process: child,
    stderr: () => stderr,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGINT'),
  };
}

/** The repository root, found from this file. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
