import { createPythonBridge, type PythonBridge, type PythonBridgeOptions } from '@nt/bridge';
import { exitCodeFor } from './bridgeErrors.js';
import type { ExitCode } from './exitCodes.js';
import type { Io } from './io.js';

/**
 * For one-shot commands: a bridge without reconnects or keepalive, connected by
 * `use` itself (so it can time the connect), always closed; a failure is
 * printed and mapped to its exit code.
 */
export async function withWorker(options: PythonBridgeOptions, io: Io, use: (bridge: PythonBridge) => Promise<ExitCode>): Promise<ExitCode> {
  const bridge = createPythonBridge({ ...options, reconnect: { enabled: false }, keepalive: false });
  try {
    return await use(bridge);
  } catch (error) {
    io.err(`nodetool: ${(error as Error).message}`);
    return exitCodeFor(error);
  } finally {
    await bridge.close();
  }
}
