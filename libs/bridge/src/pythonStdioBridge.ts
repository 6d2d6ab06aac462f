import { execa, type ResultPromise } from 'execa';
import { encodeStdioFrame, OversizeFrameError, StdioFrameDecoder } from '@nt/protocol';
import { BridgeCore } from './bridgeCore.js';
import {
  ConnectionClosedError,
  ProtocolError,
  WorkerUnreachableError,
  type BridgeError,
} from './errors.js';
import { resolveSettings, type PythonBridgeOptions } from './options.js';
import type { BridgeState } from './pythonBridge.js';
import { resolvePythonInterpreter } from './resolvePythonInterpreter.js';
import { StderrTail } from './stderrTail.js';

const READY_MARKER = 'NODETOOL_STDIO_READY';

/** Forced on the child: progress bars and chatty logs can corrupt a frame stream or flood stderr. */
const QUIET_ENV = { TQDM_DISABLE: '1', HF_HUB_DISABLE_PROGRESS_BARS: '1', TRANSFORMERS_VERBOSITY: 'error', PYTHONUNBUFFERED: '1' };

/**
 * Runs `python -m nodetool.worker --stdio` as a child and speaks length-prefixed
 * msgpack over its pipes. Readiness comes from the stderr marker; stderr is kept
 * in a bounded tail and quoted in errors. It never respawns: a dead child fails
 * everything pending and the owner creates a new bridge.
 */
export class PythonStdioBridge extends BridgeCore {
  readonly transport = 'stdio' as const;
  private child: ResultPromise<{ stdin: 'pipe'; stdout: 'pipe'; stderr: 'pipe'; buffer: false; reject: false }> | null = null;
  private readonly stderr = new StderrTail();
  private readonly interpreter: ReturnType<typeof resolvePythonInterpreter>;
  private exited: Promise<void> = Promise.resolve();
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PythonBridgeOptions = {}) {
    super(resolveSettings(options));
    this.interpreter = resolvePythonInterpreter(options.pythonPath, options.env ?? process.env);
  }

  get target(): string {
    return `stdio:${this.interpreter.path}`;
  }

  /** A child process's pipes never leave this machine. */
  readonly confidential = true;

  /** The child's process id while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last stderr lines of the worker, for diagnostics. */
  stderrTail(lines = 20): string {
    return this.stderr.tail(lines);
  }

  protected async openTransport(): Promise<void> {
    await this.spawnWorker();
    await this.handshake();
  }

  protected async afterFailedConnect(): Promise<BridgeState> {
    await this.kill();
    return 'closed';
  }

  protected closeTransport(): Promise<void> {
    return this.kill();
  }

  protected sendPayload(payload: Uint8Array): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || !this.transportOpen || stdin.destroyed) {
      return Promise.reject(new ConnectionClosedError(`The stdio worker is not running${this.quoteStderr()}`));
    }
    return new Promise((resolve, reject) => {
      // One write per frame keeps frames whole; the callback fires once the pipe has taken it.
      stdin.write(encodeStdioFrame(payload), (error) =>
        error ? reject(new ConnectionClosedError(`Writing to the stdio worker failed: ${error.message}`)) : resolve(),
      );
    });
  }

  private spawnWorker(): Promise<void> {
    const env = { ...(this.options.env ?? process.env), ...this.options.workerEnv, ...QUIET_ENV };
    const args = ['-m', 'nodetool.worker', '--stdio', ...(this.options.workerArgs ?? [])];
    const child = execa(this.interpreter.path, args, {
      env,
      extendEnv: false,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      cleanup: true,
      forceKillAfterDelay: 2_000,
    });
    this.child = child;
    const decoder = new StdioFrameDecoder(this.settings.maxFrameSize);

    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const startup = setTimeout(() => {
        reject(
          new WorkerUnreachableError(
            `The stdio worker (${this.interpreter.path}) did not print ${READY_MARKER} within ${this.settings.startupTimeoutMs} ms${this.quoteStderr()}`,
          ),
        );
      }, this.settings.startupTimeoutMs);

      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        for (const line of this.stderr.push(text)) {
          this.emit('stderr', line);
          if (!ready && line.includes(READY_MARKER)) {
            ready = true;
            clearTimeout(startup);
            this.transportOpen = true;
            resolve();
          }
        }
      });

      child.stdout.on('data', (chunk: Buffer) => {
        let payloads: Uint8Array[];
        try {
          payloads = decoder.push(chunk);
        } catch (error) {
          const message = error instanceof OversizeFrameError ? error.message : String(error);
          this.fatal(new ProtocolError(`The stdio frame stream is broken: ${message}${this.quoteStderr()}`));
          return;
        }
        for (const payload of payloads) this.receivePayload(payload);
        this.watchForStall(decoder);
      });

      // EPIPE after the child died: the exit handler reports it.
      child.stdin.on('error', () => undefined);

      this.exited = child.then((result) => {
        clearTimeout(startup);
        clearTimeout(this.stallTimer);
        this.transportOpen = false;
        const code = result.exitCode ?? null;
        const signal = result.signal ?? null;
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        if (result.failed && result.exitCode === undefined && !signal) {
          reject(new WorkerUnreachableError(`Cannot start the stdio worker with ${this.interpreter.path} (${this.interpreter.source}): ${result.shortMessage ?? result.message}`));
        } else if (!ready) {
          reject(new WorkerUnreachableError(`The stdio worker ${how} before it was ready${this.quoteStderr()}`));
        }
        this.failInFlight((what) => new ConnectionClosedError(`The stdio worker ${how} during ${what}${this.quoteStderr()}`));
        this.emit('exit', { code, signal });
        if (!this.closedByOwner && this.state === 'connected') {
          this.emit('disconnected', new ConnectionClosedError(`The stdio worker ${how}`));
          this.setState('closed');
        }
      });
    });
  }

  /**
   * A frame that started and then stops arriving means the worker is stuck (a hung write, bytes lost on
   * the pipe): without this, every request would wait for its own timeout, execute's 12 minutes among them.
   */
  private watchForStall(decoder: StdioFrameDecoder): void {
    clearTimeout(this.stallTimer);
    const partial = decoder.partialFrame;
    if (!partial) return;
    const limit = this.settings.frameStallTimeoutMs;
    this.stallTimer = setTimeout(() => {
      const of = Number.isNaN(partial.expected) ? 'part of its header' : `${partial.received} of its ${partial.expected} bytes`;
      this.fatal(new ProtocolError(`The stdio worker stopped in the middle of a frame (${of} arrived, then nothing for ${limit} ms); it is stopped${this.quoteStderr()}`));
    }, limit);
    this.stallTimer.unref();
  }

  private fatal(error: BridgeError): void {
    this.transportOpen = false;
    this.failInFlight(() => error);
    void this.kill();
  }

  /** Ends stdin, then SIGTERM, then SIGKILL after two seconds; resolves once the child is gone. */
  private async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.transportOpen = false;
    if (child.exitCode === null && !child.killed) {
      child.stdin.end();
      child.kill('SIGTERM');
    }
    await this.exited;
  }

  private quoteStderr(): string {
    const tail = this.stderr.tail(12).trim();
    return tail ? `\n--- worker stderr (last lines) ---\n${tail}` : '';
  }
}
