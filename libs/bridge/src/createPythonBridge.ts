import type { PythonBridgeOptions } from './options.js';
import type { PythonBridge } from './pythonBridge.js';
import { PythonStdioBridge } from './pythonStdioBridge.js';
import { WebsocketPythonBridge } from './websocketPythonBridge.js';

/**
 * WebSocket when `options.wsUrl ?? NODETOOL_WORKER_URL` is set (token from
 * `options.workerToken ?? NODETOOL_WORKER_TOKEN`, empty meaning none), a local
 * stdio worker otherwise.
 */
export function createPythonBridge(options: PythonBridgeOptions = {}): PythonBridge {
  const env = options.env ?? process.env;
  const wsUrl = (options.wsUrl ?? env['NODETOOL_WORKER_URL'] ?? '').trim();
  if (wsUrl) {
    if (!/^wss?:\/\//i.test(wsUrl)) {
      throw new TypeError('NODETOOL_WORKER_URL (or wsUrl) must start with ws:// or wss://');
    }
    const workerToken = options.workerToken ?? env['NODETOOL_WORKER_TOKEN'] ?? '';
    return new WebsocketPythonBridge({ ...options, wsUrl, workerToken });
  }
  return new PythonStdioBridge(options);
}
