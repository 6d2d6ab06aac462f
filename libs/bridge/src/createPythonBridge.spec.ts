import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPythonBridge } from './createPythonBridge.js';
import { ConfigError } from './errors.js';
import { PythonStdioBridge } from './pythonStdioBridge.js';
import { fakeLocator } from './testing/fakeLocator.js';
import { resolvePythonInterpreter } from './transport/resolvePythonInterpreter.js';
import { WebsocketPythonBridge } from './websocketPythonBridge.js';

describe('createPythonBridge', () => {
  it('picks WebSocket when NODETOOL_WORKER_URL is set and stdio otherwise', () => {
    expect(createPythonBridge({ env: { NODETOOL_WORKER_URL: ' ws://10.0.0.5:8787 ' } })).toBeInstanceOf(WebsocketPythonBridge);
    expect(createPythonBridge({ env: {} })).toBeInstanceOf(PythonStdioBridge);
    expect(createPythonBridge({ env: { NODETOOL_WORKER_URL: '   ' } })).toBeInstanceOf(PythonStdioBridge);
  });

  it('prefers options over the environment', () => {
    const bridge = createPythonBridge({ wsUrl: 'wss://a.example:8443/w', env: { NODETOOL_WORKER_URL: 'ws://b:1' } });
    expect(bridge.target).toBe('wss://a.example:8443/w');
  });

  it('never shows credentials or query strings in the target', () => {
    const bridge = createPythonBridge({ wsUrl: 'ws://user:pw@host:8787/?token=abc' });
    expect(bridge.target).toBe('ws://host:8787');
  });

  it('refuses a URL that is not ws://, wss:// or one its locator handles, naming the setting, as a ConfigError', () => {
    expect(() => createPythonBridge({ wsUrl: 'http://host:8787' })).toThrow(/must start with ws:\/\/ or wss:\/\/, got/);
    expect(() => createPythonBridge({ env: { NODETOOL_WORKER_URL: 'foo://x' }, locator: fakeLocator() })).toThrow(
      new ConfigError('NODETOOL_WORKER_URL', 'the worker URL (NODETOOL_WORKER_URL or --worker-url) must start with ws://, wss:// or cloud://, got "foo://x"'),
    );
    expect(() => createPythonBridge({ wsUrl: 'cloud://abc' })).toThrow(/must start with ws:\/\/ or wss:\/\//);
    expect(createPythonBridge({ wsUrl: 'cloud://abc?tls=1', locator: fakeLocator() }).target).toBe('cloud://abc?tls=1');
    expect(() => createPythonBridge({ env: { NODETOOL_WORKER_URL: 'ws://[bad' } })).toThrow(/is not a valid URL/);
  });

  it('never repeats credentials of a refused URL', () => {
    expect(() => createPythonBridge({ wsUrl: 'http://user:hunter2@host:1' })).toThrow(/got "http:\/\/…@host:1"/);
  });

  it('refuses a token and a token file at once, and a malformed execute timeout, by name', () => {
    expect(() => createPythonBridge({ env: { NODETOOL_WORKER_URL: 'ws://h:1', NODETOOL_WORKER_TOKEN: 'a', NODETOOL_WORKER_TOKEN_FILE: '/t' } })).toThrow(
      /both NODETOOL_WORKER_TOKEN and NODETOOL_WORKER_TOKEN_FILE are set: set one/,
    );
    expect(() => createPythonBridge({ env: { NODETOOL_WORKER_URL: 'ws://h:1', NODETOOL_PYTHON_EXECUTE_TIMEOUT_MS: '10s' } })).toThrow(
      new ConfigError(
        'NODETOOL_PYTHON_EXECUTE_TIMEOUT_MS',
        'NODETOOL_PYTHON_EXECUTE_TIMEOUT_MS must be a whole number of milliseconds (0 turns it off), got "10s"',
      ),
    );
  });

  it('knows which links keep secrets private: stdio, wss://, and ws:// that stays on this machine', () => {
    expect(createPythonBridge({ env: {} }).confidential).toBe(true);
    expect(createPythonBridge({ wsUrl: 'wss://gpu.example:8443' }).confidential).toBe(true);
    for (const url of ['ws://127.0.0.1:8787', 'ws://localhost:1', 'ws://[::1]:1', 'ws://worker.localhost:1'])
      expect(createPythonBridge({ wsUrl: url }).confidential).toBe(true);
    for (const url of ['ws://10.0.0.5:8787', 'ws://gpu.example:8787', 'ws://[2001:db8::1]:1'])
      expect(createPythonBridge({ wsUrl: url }).confidential).toBe(false);
  });

  it('refuses a TLS pin or CA for a link without TLS, since it would check nothing', () => {
    const pin = 'AB'.repeat(32);
    expect(() => createPythonBridge({ wsUrl: 'ws://127.0.0.1:8787', tlsFingerprint: pin })).toThrow(
      /a TLS fingerprint pin \(NODETOOL_WORKER_TLS_FINGERPRINT, or tls_fingerprint in a workers file\) is set for ws:\/\/127\.0\.0\.1:8787, which does not use TLS/,
    );
    expect(() => createPythonBridge({ env: { NODETOOL_WORKER_URL: 'ws://10.0.0.5:1', NODETOOL_WORKER_TLS_FINGERPRINT: pin } })).toThrow(ConfigError);
    expect(() => createPythonBridge({ wsUrl: 'ws://127.0.0.1:1', ca: '-----BEGIN CERTIFICATE-----' })).toThrow(/a worker CA \(NODETOOL_WORKER_CA/);
    expect(() => createPythonBridge({ wsUrl: 'cloud://abc', tlsFingerprint: pin, locator: fakeLocator() })).toThrow(/use \?tls=1 or unset it/);
    expect(createPythonBridge({ wsUrl: 'wss://gpu.example:8443', tlsFingerprint: pin }).target).toBe('wss://gpu.example:8443');
    expect(createPythonBridge({ wsUrl: 'cloud://abc?tls=1', tlsFingerprint: pin, locator: fakeLocator() }).target).toBe('cloud://abc?tls=1');
  });

  it('refuses a token over plain ws:// to a public address before anything starts, unless NODETOOL_WORKER_ALLOW_PLAINTEXT=1', () => {
    const refusal = (env: NodeJS.ProcessEnv) => {
      try {
        createPythonBridge({ env });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).setting).toBe('NODETOOL_WORKER_ALLOW_PLAINTEXT');
        return (error as Error).message;
      }
      return null;
    };
    const withToken = (url: string, extra: NodeJS.ProcessEnv = {}) => ({ NODETOOL_WORKER_URL: url, NODETOOL_WORKER_TOKEN: 'secret-token-value', ...extra });
    expect(refusal(withToken('ws://203.0.113.7:7777'))).toMatch(
      /refusing to send the worker token over plain ws:\/\/ to ws:\/\/203\.0\.113\.7:7777 \(203\.0\.113\.7, a public address\)/,
    );
    expect(refusal(withToken('ws://[2001:db8::1]:7777'))).toMatch(/a public address/);
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'nt-plain-')), 'token');
    writeFileSync(tokenFile, 'a-worker-token-from-a-file');
    expect(refusal({ ...withToken('ws://203.0.113.7:7777'), NODETOOL_WORKER_TOKEN: '', NODETOOL_WORKER_TOKEN_FILE: tokenFile })).toMatch(/refusing/);
    expect(String(refusal(withToken('ws://203.0.113.7:7777')))).not.toContain('secret-token-value');
    // Private networks keep working: a cluster, a compose network, a tunnel, this machine.
    for (const url of [
      'ws://10.96.0.10:7777',
      'ws://172.18.0.3:7777',
      'ws://192.168.1.20:7777',
      'ws://100.101.102.103:7777',
      'ws://[fd7a:115c:a1e0::1]:7777',
      'ws://127.0.0.1:1',
    ])
      expect(refusal(withToken(url)), url).toBeNull();
    // A name is checked when it resolves; no token, nothing to protect; the setting takes the risk.
    expect(refusal(withToken('ws://gpu.example:7777'))).toBeNull();
    expect(refusal({ NODETOOL_WORKER_URL: 'ws://203.0.113.7:7777' })).toBeNull();
    expect(refusal(withToken('ws://203.0.113.7:7777', { NODETOOL_WORKER_ALLOW_PLAINTEXT: '1' }))).toBeNull();
    expect(() => createPythonBridge({ env: withToken('ws://203.0.113.7:7777', { NODETOOL_WORKER_ALLOW_PLAINTEXT: 'yes' }) })).toThrow(
      /NODETOOL_WORKER_ALLOW_PLAINTEXT must be 1 or 0, got "yes"/,
    );
  });

  it('refuses a malformed NODETOOL_BRIDGE_MAX_FRAME_SIZE by name', () => {
    expect(() => createPythonBridge({ env: { NODETOOL_WORKER_URL: 'ws://h:1', NODETOOL_BRIDGE_MAX_FRAME_SIZE: '256MB' } })).toThrow(
      /NODETOOL_BRIDGE_MAX_FRAME_SIZE must be a whole number of bytes/,
    );
  });
});

describe('resolvePythonInterpreter', () => {
  /** A checkout with the worker environments laid out as setup.sh leaves them (empty files, nothing runs). */
  function checkout(withHf: 'none' | 'installing' | 'ready'): string {
    const root = mkdtempSync(join(tmpdir(), 'nt-interp-'));
    mkdirSync(join(root, 'apps', 'worker', '.venv', 'bin'), { recursive: true });
    writeFileSync(join(root, 'apps', 'worker', '.venv', 'bin', 'python'), '');
    if (withHf !== 'none') {
      mkdirSync(join(root, 'apps', 'worker', '.venv-hf', 'bin'), { recursive: true });
      writeFileSync(join(root, 'apps', 'worker', '.venv-hf', 'bin', 'python'), '');
      if (withHf === 'ready') writeFileSync(join(root, 'apps', 'worker', '.venv-hf', '.nodetool-setup-hf'), 'stamp');
    }
    mkdirSync(join(root, 'apps', 'cli'), { recursive: true });
    return root;
  }

  it('prefers the option, then NODETOOL_PYTHON, then the project environment, then python3', () => {
    expect(resolvePythonInterpreter('/opt/py', { NODETOOL_PYTHON: '/x' })).toEqual({ path: '/opt/py', source: 'option' });
    expect(resolvePythonInterpreter(undefined, { NODETOOL_PYTHON: '/x' })).toEqual({ path: '/x', source: 'NODETOOL_PYTHON' });
    expect(resolvePythonInterpreter(undefined, {}, ['/']).path).toBe('python3');
    const root = checkout('none');
    expect(resolvePythonInterpreter(undefined, {}, [join(root, 'apps', 'cli')])).toEqual({
      path: join(root, 'apps', 'worker', '.venv', 'bin', 'python'),
      source: 'project worker environment',
    });
  });

  it('takes the HF environment only once its setup has finished (its stamp is written last)', () => {
    const installing = checkout('installing');
    expect(resolvePythonInterpreter(undefined, {}, [installing]).path).toBe(join(installing, 'apps', 'worker', '.venv', 'bin', 'python'));
    const ready = checkout('ready');
    expect(resolvePythonInterpreter(undefined, {}, [ready]).path).toBe(join(ready, 'apps', 'worker', '.venv-hf', 'bin', 'python'));
  });
});
