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
  let bridge: PythonBridge | null = null;
  try {
    // Inside the try: a bad setting (NODETOOL_WORKER_URL=foo://x) is a one-line error and exit 2, not a stack.
    bridge = createPythonBridge({ ...options, reconnect: { enabled: false }, keepalive: false });
    bridge.on('warning', (message) => io.err(`nodetool: warning: ${message}`));
    return await use(bridge);
  } catch (error) {
    io.err(`nodetool: ${(error as Error).message}`);
    return exitCodeFor(error);
  } finally {
    await bridge?.close();
  }
}
