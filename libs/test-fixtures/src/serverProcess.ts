import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { FIXTURE_WORKER_ENV, projectWorkerPython, REPO_ROOT } from './realWorker.js';

const SERVER_MAIN = join(REPO_ROOT, 'apps', 'server', 'src', 'main.ts');

export interface ServerProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Resolves when the process has ended. */
  exited: Promise<ServerProcessResult>;
}

/**
 * TEST HELPER: the server as its own process (`main.ts` through tsx: no build needed), as a user runs
 * it, with the fixture worker over stdio unless `env` says otherwise. Resolves once it listens.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const { child, exited, output } = spawnServer(env);
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output()}`)), 60_000);
    const poll = setInterval(() => {
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output());
      if (match) {
        clearTimeout(timer);
        clearInterval(poll);
        resolveUrl(match[1] as string);
      }
    }, 20);
    void exited.then((result) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`the server exited with ${result.code}:\n${result.output}`));
    });
  });
  return { url, child, output, exited };
}

/**
 * Waits until the server's worker is connected (the run endpoints answer 503 before). A server with a
 * token shows its worker only to a caller that sends it: without `token` that is said at once, not
 * waited out.
 */
export async function workerConnected(url: string, timeoutMs = 60_000, token?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const headers = token ? { authorization: `Bearer ${token}` } : undefined;
  for (;;) {
    const health = (await (await fetch(`${url}/health`, { headers })).json()) as { worker?: { state: string }; uptime_s?: number };
    if (health.uptime_s === undefined) throw new Error(`${url}/health shows only "up" to this caller: pass the server's token`);
    if (health.worker?.state === 'connected') return;
    if (Date.now() > deadline) throw new Error(`the worker of ${url} is ${health.worker?.state ?? 'unknown'}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs the server until it exits on its own (a refused configuration), with its output. */
export function runServerUntilExit(env: Record<string, string>): Promise<ServerProcessResult> {
  return spawnServer(env).exited;
}

function spawnServer(env: Record<string, string>): { child: ChildProcess; exited: Promise<ServerProcessResult>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@nt/source', SERVER_MAIN], {
    cwd: join(dirname(SERVER_MAIN), '..'),
    env: { ...process.env, ...FIXTURE_WORKER_ENV, NODETOOL_PYTHON: projectWorkerPython('core'), HOST: '127.0.0.1', PORT: '0', NODETOOL_WEB_ROOT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<ServerProcessResult>((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal, output: text })));
  return { child, exited, output: () => text };
}
