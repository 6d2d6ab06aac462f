/**
 * BENCH HELPER: the built server (apps/server/dist/main.js) as a process on a free 127.0.0.1 port,
 * driving the workers at `urls`, with a keep-alive JSON client and the pool's health.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@nt/test-fixtures';

export interface BenchServer {
  url: string;
  /** The process, for a bench that kills it as a crash would. */
  child: ChildProcess;
  call(method: string, path: string, body?: string): Promise<unknown>;
  health(): Promise<{ pool: { connected: number; workers: Array<{ id: string; state: string }> } }>;
  stop(): Promise<void>;
}

/** Resolves once every worker of `urls` is connected. `lanes`: requests the client keeps open at once. */
export async function startBenchServer(urls: string[], token: string, lanes: number, env: Record<string, string> = {}): Promise<BenchServer> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'apps', 'server', 'dist', 'main.js')], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      NODETOOL_DB: join(mkdtempSync(join(tmpdir(), 'nt-bench-')), 'server.db'),
      NODETOOL_WORKER_URL: urls.join(','),
      NODETOOL_WORKER_TOKEN: token,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let log = '';
  const url = await new Promise<string>((resolve) =>
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(log);
      if (match) resolve(match[1] as string);
    }),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: lanes + 4 });
  const call = (method: string, path: string, body?: string) =>
    new Promise<unknown>((resolve, reject) => {
      const req = request(
        `${url}${path}`,
        { method, agent, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve(JSON.parse(text)));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const health = () => call('GET', '/health') as ReturnType<BenchServer['health']>;
  while ((await health()).pool.connected !== urls.length) await new Promise((resolve) => setTimeout(resolve, 50));
  return {
    url,
    child,
    call,
    health,
    stop: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
