import { describe, expect, it } from 'vitest';
import { createPythonBridge } from './createPythonBridge.js';
import { PythonStdioBridge } from './pythonStdioBridge.js';
import { resolvePythonInterpreter } from './resolvePythonInterpreter.js';
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

  it('refuses a URL that is not ws:// or wss://', () => {
    expect(() => createPythonBridge({ wsUrl: 'http://host:8787' })).toThrow(/must start with ws:\/\/ or wss:\/\//);
  });

  it('refuses a malformed NODETOOL_BRIDGE_MAX_FRAME_SIZE by name', () => {
    expect(() => createPythonBridge({ env: { NODETOOL_WORKER_URL: 'ws://h:1', NODETOOL_BRIDGE_MAX_FRAME_SIZE: '256MB' } })).toThrow(
      /NODETOOL_BRIDGE_MAX_FRAME_SIZE must be a whole number of bytes/,
    );
  });
});

describe('resolvePythonInterpreter', () => {
  it('prefers the option, then NODETOOL_PYTHON, then the project environment, then python3', () => {
    expect(resolvePythonInterpreter('/opt/py', { NODETOOL_PYTHON: '/x' })).toEqual({ path: '/opt/py', source: 'option' });
    expect(resolvePythonInterpreter(undefined, { NODETOOL_PYTHON: '/x' })).toEqual({ path: '/x', source: 'NODETOOL_PYTHON' });
    expect(resolvePythonInterpreter(undefined, {}, ['/']).path).toBe('python3');
    expect(resolvePythonInterpreter(undefined, {}).source).toBe('project worker environment');
  });
});
