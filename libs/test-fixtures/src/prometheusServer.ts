/**
 * TEST HELPER: a real Prometheus (Debian's `prometheus` package) on 127.0.0.1, scraping one target
 * every second, and its HTTP query API, so the server's /metrics is read the way an operator's
 * Prometheus reads it: parsed, stored and queried by Prometheus itself.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './realWorker.js';
import { freePort } from './freePort.js';

export interface PrometheusServer {
  url: string;
  /** An instant query's vector: one value per series, with its labels. */
  query(expression: string): Promise<Array<{ labels: Record<string, string>; value: number }>>;
  /** Polls `expression` until `accept` holds for its result, or fails after `timeoutMs` with the last result. */
  waitFor(
    expression: string,
    accept: (result: Array<{ labels: Record<string, string>; value: number }>) => boolean,
    timeoutMs?: number,
  ): Promise<Array<{ labels: Record<string, string>; value: number }>>;
  stop(): Promise<void>;
}

/** Installs prometheus when missing (tools/setup/ensure-system-packages.sh metrics). */
export function ensurePrometheus(): string {
  execFileSync('bash', [join(REPO_ROOT, 'tools', 'setup', 'ensure-system-packages.sh'), 'metrics'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return '/usr/bin/prometheus';
}

/** Scrapes `target` (host:port) at `path` every second; `bearerToken` goes in a credentials file, as an operator would give it. */
export async function startPrometheus(options: { target: string; path?: string; bearerToken?: string }): Promise<PrometheusServer> {
  const binary = ensurePrometheus();
  const dir = mkdtempSync(join(tmpdir(), 'nt-prometheus-'));
  const credentials = join(dir, 'token');
  if (options.bearerToken) writeFileSync(credentials, options.bearerToken, { mode: 0o600 });
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: nodetool',
      `    metrics_path: ${options.path ?? '/metrics'}`,
      ...(options.bearerToken ? ['    authorization:', `      credentials_file: ${credentials}`] : []),
      '    static_configs:',
      `      - targets: ['${options.target}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`prometheus did not become ready on ${url}: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const query: PrometheusServer['query'] = async (expression) => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expression)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    if (body.status !== 'success') throw new Error(`prometheus refused ${expression}: ${body.error}`);
    return (body.data?.result ?? []).map((series) => ({ labels: series.metric, value: Number(series.value[1]) }));
  };
  return {
    url,
    query,
    async waitFor(expression, accept, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      let last: Awaited<ReturnType<typeof query>> = [];
      while (Date.now() < until) {
        last = await query(expression);
        if (accept(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`prometheus: ${expression} never matched within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
