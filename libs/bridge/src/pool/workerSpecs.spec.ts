import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { fakeLocator } from '../testing/fakeLocator.js';
import { workerPoolFromEnv, workersAt } from './workerSpecs.js';

const dir = mkdtempSync(join(tmpdir(), 'nt-specs-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const refused = (env: NodeJS.ProcessEnv) => {
  try {
    workerPoolFromEnv(env, fakeLocator());
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('the workers a server is given', () => {
  it('reads several comma-separated URLs sharing the token, with a default limit', () => {
    const pool = workerPoolFromEnv({ NODETOOL_WORKER_URL: 'ws://a:8787, wss://user:secret@b.example/worker', NODETOOL_WORKER_MAX_CONCURRENT_RUNS: '1' });
    expect(pool.discovery).toBeNull();
    expect(pool.workers).toEqual([
      { id: 'ws://a:8787', url: 'ws://a:8787', labels: {}, maxConcurrentRuns: 1 },
      { id: 'wss://b.example/worker', url: 'wss://user:secret@b.example/worker', labels: {}, maxConcurrentRuns: 1 },
    ]);
  });

  it('reads a YAML or JSON workers file with tokens, token files, labels and limits', () => {
    const yaml = file(
      'w.yaml',
      'workers:\n  - url: ws://gpu1:7777\n    token_file: /run/secrets/t1\n    labels: { gpu: a100 }\n    max_concurrent_runs: 1\n  - url: ws://gpu2:7777\n    token: abc\n',
    );
    expect(workerPoolFromEnv({ NODETOOL_WORKERS_FILE: yaml }).workers).toEqual([
      { id: 'ws://gpu1:7777', url: 'ws://gpu1:7777', tokenFile: '/run/secrets/t1', labels: { gpu: 'a100' }, maxConcurrentRuns: 1 },
      { id: 'ws://gpu2:7777', url: 'ws://gpu2:7777', token: 'abc', labels: {} },
    ]);
    const json = file('w.json', JSON.stringify([{ url: 'wss://x.example' }, { url: 'cloud://4242?tls=1', tls_fingerprint: 'ab'.repeat(32) }]));
    expect(workerPoolFromEnv({ NODETOOL_WORKERS_FILE: json }, fakeLocator()).workers.map((w) => [w.id, w.tlsFingerprint])).toEqual([
      ['wss://x.example', undefined],
      ['cloud://4242?tls=1', Array(32).fill('AB').join(':')],
    ]);
    expect(
      refused({ NODETOOL_WORKERS_FILE: file('plainpin.json', JSON.stringify([{ url: 'ws://10.0.0.2:7777', tls_fingerprint: 'ab'.repeat(32) }])) }),
    ).toMatch(/plainpin\.json, worker 1: "tls_fingerprint" is set for ws:\/\/10\.0\.0\.2:7777, which does not use TLS/);
    expect(() => workerPoolFromEnv({ NODETOOL_WORKER_URL: 'cloud://7' })).toThrow(/must start with ws:\/\/ or wss:\/\//);
    expect(refused({ NODETOOL_WORKERS_FILE: file('pin.json', JSON.stringify([{ url: 'wss://y', tls_fingerprint: 'AB:CD' }])) })).toMatch(
      /pin\.json, worker 1: "tls_fingerprint"\) must be a SHA-256 fingerprint/,
    );
  });

  it('refuses what cannot work, naming the setting, file and entry', () => {
    expect(refused({ NODETOOL_WORKER_URL: 'ws://a:1,http://b:2' })).toContain('must start with ws://, wss:// or cloud://, got "http://b:2"');
    expect(refused({ NODETOOL_WORKER_URL: 'cloud://x', NODETOOL_WORKER_DISCOVERY: 'dns' })).toContain('cloud://x is found through its provider');
    expect(refused({ NODETOOL_WORKER_URL: 'ws://a:1,ws://a:1' })).toContain('the worker ws://a:1 is listed twice');
    expect(refused({ NODETOOL_WORKERS_FILE: file('bad.yaml', 'workers:\n  - url: ws://a:1\n    tokn: x\n') })).toMatch(
      /bad\.yaml, worker 1: unknown key "tokn"/,
    );
    expect(refused({ NODETOOL_WORKERS_FILE: file('both.yaml', 'workers:\n  - {url: "ws://a:1", token: x, token_file: y}\n') })).toContain(
      'set "token" or "token_file", not both',
    );
    expect(refused({ NODETOOL_WORKERS_FILE: file('limit.yaml', 'workers:\n  - {url: "ws://a:1", max_concurrent_runs: 0}\n') })).toContain(
      '"max_concurrent_runs" must be a whole number above 0',
    );
    expect(refused({ NODETOOL_WORKERS_FILE: file('empty.yaml', 'workers: []\n') })).toContain('must list workers');
    expect(refused({ NODETOOL_WORKERS_FILE: join(dir, 'missing.yaml') })).toContain('cannot read NODETOOL_WORKERS_FILE');
    expect(refused({ NODETOOL_WORKERS_FILE: file('x.yaml', 'workers: [{url: ws://a:1}]'), NODETOOL_WORKER_URL: 'ws://b:1' })).toContain(
      'list the workers in one place',
    );
    expect(refused({ NODETOOL_WORKER_URL: 'ws://a:1', NODETOOL_WORKER_DISCOVERY: 'mdns' })).toContain('must be "dns"');
    expect(refused({ NODETOOL_WORKER_URL: 'ws://10.0.0.1:7777', NODETOOL_WORKER_DISCOVERY: 'dns' })).toContain('needs a host name to resolve');
    expect(refused({ NODETOOL_WORKER_URL: 'ws://a:1', NODETOOL_WORKER_MAX_CONCURRENT_RUNS: 'one' })).toContain(
      'NODETOOL_WORKER_MAX_CONCURRENT_RUNS must be a whole number, got "one"',
    );
  });

  it('turns a DNS name into one worker per address, with the scheme, port and path of the URL', () => {
    const { discovery } = workerPoolFromEnv({
      NODETOOL_WORKER_URL: 'wss://workers.svc:7777/ws',
      NODETOOL_WORKER_DISCOVERY: 'dns',
      NODETOOL_WORKER_MAX_CONCURRENT_RUNS: '2',
    });
    expect(discovery).toMatchObject({ host: 'workers.svc', intervalMs: 10_000, maxConcurrentRuns: 2 });
    expect(workersAt(discovery!, ['10.0.0.5', 'fd00::7'])).toEqual([
      { id: 'wss://10.0.0.5:7777/ws', url: 'wss://10.0.0.5:7777/ws', labels: {}, maxConcurrentRuns: 2, tlsServername: 'workers.svc' },
      { id: 'wss://[fd00::7]:7777/ws', url: 'wss://[fd00::7]:7777/ws', labels: {}, maxConcurrentRuns: 2, tlsServername: 'workers.svc' },
    ]);
  });

  it('is empty when nothing is configured (the server then runs a local worker process)', () => {
    expect(workerPoolFromEnv({})).toEqual({ workers: [], discovery: null });
  });
});
