import { createPythonBridge, type PythonBridge, type PythonBridgeOptions } from '@nt/bridge';
import type { Graph } from './graph.js';
import { graphNeedsWorker } from './nodeCatalog.js';

/**
 * Connects a bridge only when some node has no TypeScript implementation:
 * the remote worker when NODETOOL_WORKER_URL (or `options.wsUrl`) is set, a
 * local stdio worker otherwise. Pure-TS graphs start nothing. The caller
 * closes the bridge after the run.
 */
export async function connectPythonBridgeForGraph(
  graph: Graph,
  options: PythonBridgeOptions = {},
  onWarning?: (message: string) => void,
): Promise<PythonBridge | null> {
  if (!graphNeedsWorker(graph)) return null;
  const bridge = createPythonBridge(options);
  if (onWarning) bridge.on('warning', onWarning);
  try {
    await bridge.connect();
  } catch (error) {
    await bridge.close();
    throw error;
  }
  return bridge;
}
