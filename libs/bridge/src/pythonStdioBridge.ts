import { ManagedBridge } from './connection/managedBridge.js';
import { resolveSettings, type PythonBridgeOptions } from './options.js';
import { resolvePythonInterpreter, type InterpreterChoice } from './transport/resolvePythonInterpreter.js';
import { StdioTransport } from './transport/stdioTransport.js';
import type { TransportListener } from './transport/transport.js';

/**
 * A bridge to a local worker process (`python -m nodetool.worker --stdio`). By default a worker that
 * exits is not started again (the bridge ends `failed`); with `reconnect.enabled` a new process is
 * started, as a server wants.
 */
export class PythonStdioBridge extends ManagedBridge {
  readonly interpreter: InterpreterChoice;

  constructor(private readonly options: PythonBridgeOptions = {}) {
    const interpreter = resolvePythonInterpreter(options.pythonPath, options.env ?? process.env);
    super('stdio', resolveSettings(options, false), { target: `stdio:${interpreter.path}`, confidential: true });
    this.interpreter = interpreter;
  }

  protected createTransport(listener: TransportListener): StdioTransport {
    const { startupTimeoutMs, maxFrameSize, frameStallTimeoutMs } = this.settings;
    return new StdioTransport(
      {
        interpreter: this.interpreter,
        workerArgs: this.options.workerArgs ?? [],
        env: { ...(this.options.env ?? process.env), ...this.options.workerEnv },
        startupTimeoutMs,
        maxFrameSize,
        frameStallTimeoutMs,
      },
      listener,
    );
  }

  /** The worker process's id while it runs. */
  get pid(): number | undefined {
    return (this.liveTransport as StdioTransport | null)?.pid;
  }

  /** The last stderr lines of the worker, for diagnostics. */
  stderrTail(lines = 20): string {
    return (this.liveTransport as StdioTransport | null)?.stderrTail(lines) ?? '';
  }
}
