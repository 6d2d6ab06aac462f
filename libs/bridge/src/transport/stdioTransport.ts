import { execa, type ResultPromise } from 'execa';
import { encodeStdioFrame, OversizeFrameError, StdioFrameDecoder } from '@nt/protocol';
import { ConnectionClosedError, ProtocolError, WorkerUnreachableError, type BridgeError } from '../errors.js';
import type { InterpreterChoice } from './resolvePythonInterpreter.js';
import { StderrTail } from './stderrTail.js';
import { stdioWorkerEnv } from './stdioWorkerEnv.js';
import type { Transport, TransportListener } from './transport.js';

const READY_MARKER = 'NODETOOL_STDIO_READY';

export interface StdioTransportSettings {
  interpreter: InterpreterChoice;
  workerArgs: string[];
  env: NodeJS.ProcessEnv;
  startupTimeoutMs: number;
  maxFrameSize: number;
  /** A frame that stops arriving half-way for this long means the worker is stuck. */
  frameStallTimeoutMs: number;
}

/**
 * `python -m nodetool.worker --stdio` as a child, speaking u32-length-prefixed msgpack over its pipes.
 * Ready when the marker shows on stderr; stderr is kept in a bounded tail and quoted in errors. A
 * broken or stalled frame stream is fatal: the child is stopped and the loss reported.
 */
export class StdioTransport implements Transport {
  readonly kind = 'stdio' as const;
  /** A child process's pipes never leave this machine. */
  readonly confidential = true;
  private child: ResultPromise<{ stdin: 'pipe'; stdout: 'pipe'; stderr: 'pipe'; buffer: false; reject: false }> | null = null;
  private readonly stderr = new StderrTail();
  private exited: Promise<void> = Promise.resolve();
  private stallTimer: NodeJS.Timeout | undefined;
  private open_ = false;
  private closedByOwner = false;
  private fatalCause: BridgeError | null = null;
  private decoder: StdioFrameDecoder | null = null;
  private paused = false;

  constructor(
    private readonly settings: StdioTransportSettings,
    private readonly listener: TransportListener,
  ) {}

  get target(): string {
    return `stdio:${this.settings.interpreter.path}`;
  }

  /** The child's process id while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  stderrTail(lines = 20): string {
    return this.stderr.tail(lines);
  }

  open(): Promise<void> {
    const { interpreter } = this.settings;
    const child = execa(interpreter.path, ['-m', 'nodetool.worker', '--stdio', ...this.settings.workerArgs], {
      env: stdioWorkerEnv(this.settings.env),
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
    this.decoder = decoder;

    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const startup = setTimeout(() => {
        reject(
          new WorkerUnreachableError(
            `The stdio worker (${interpreter.path}) did not print ${READY_MARKER} within ${this.settings.startupTimeoutMs} ms${this.quoteStderr()}`,
          ),
        );
        void this.kill();
      }, this.settings.startupTimeoutMs);

      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        for (const line of this.stderr.push(text)) {
          this.listener.onStderr?.(line);
          if (!ready && line.includes(READY_MARKER)) {
            ready = true;
            clearTimeout(startup);
            this.open_ = true;
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
        for (const payload of payloads) this.listener.onPayload(payload);
        this.watchForStall(decoder);
      });

      // EPIPE after the child died: the exit handler reports it.
      child.stdin.on('error', () => undefined);

      this.exited = child.then((result) => {
        clearTimeout(startup);
        clearTimeout(this.stallTimer);
        const wasOpen = this.open_;
        this.open_ = false;
        const code = result.exitCode ?? null;
        const signal = result.signal ?? null;
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        if (result.failed && result.exitCode === undefined && !signal) {
          reject(
            new WorkerUnreachableError(
              `Cannot start the stdio worker with ${interpreter.path} (${interpreter.source}): ${result.shortMessage ?? result.message}`,
            ),
          );
        } else if (!ready) {
          reject(new WorkerUnreachableError(`The stdio worker ${how} before it was ready${this.quoteStderr()}`));
        }
        this.listener.onExit?.({ code, signal });
        if (wasOpen && !this.closedByOwner) {
          const fatal = this.fatalCause;
          this.listener.onClose(
            fatal ?? new ConnectionClosedError(`The stdio worker ${how}`),
            (what) => fatal ?? new ConnectionClosedError(`The stdio worker ${how} during ${what}${this.quoteStderr()}`),
          );
        }
      });
    });
  }

  send(payload: Uint8Array): Promise<void> {
    const stdin = this.child?.stdin;
    if (this.fatalCause) return Promise.reject(this.fatalCause);
    if (!stdin || !this.open_ || stdin.destroyed) return Promise.reject(new ConnectionClosedError(`The stdio worker is not running${this.quoteStderr()}`));
    return new Promise((resolve, reject) => {
      // One write per frame keeps frames whole; the callback fires once the pipe has taken it.
      stdin.write(encodeStdioFrame(payload), (error) =>
        error ? reject(new ConnectionClosedError(`Writing to the stdio worker failed: ${error.message}`)) : resolve(),
      );
    });
  }

  async close(): Promise<void> {
    this.closedByOwner = true;
    await this.kill();
  }

  pause(): void {
    // A worker blocked on a full pipe because we stopped reading has not stalled.
    this.paused = true;
    clearTimeout(this.stallTimer);
    this.child?.stdout.pause();
  }

  resume(): void {
    this.paused = false;
    this.child?.stdout.resume();
    if (this.decoder) this.watchForStall(this.decoder);
  }

  /**
   * A frame that started and then stops arriving means the worker is stuck (a hung write, bytes lost on
   * the pipe): without this, every request would wait for its own timeout, execute's 12 minutes among them.
   */
  private watchForStall(decoder: StdioFrameDecoder): void {
    clearTimeout(this.stallTimer);
    const partial = decoder.partialFrame;
    if (!partial || this.paused) return;
    const limit = this.settings.frameStallTimeoutMs;
    this.stallTimer = setTimeout(() => {
      const of = Number.isNaN(partial.expected) ? 'part of its header' : `${partial.received} of its ${partial.expected} bytes`;
      this.fatal(
        new ProtocolError(
          `The stdio worker stopped in the middle of a frame (${of} arrived, then nothing for ${limit} ms); it is stopped${this.quoteStderr()}`,
        ),
      );
    }, limit);
    this.stallTimer.unref();
  }

  /** The stream cannot be trusted any more: stop the child; its exit reports this cause. */
  private fatal(cause: BridgeError): void {
    this.fatalCause ??= cause;
    void this.kill();
  }

  /** Ends stdin, then SIGTERM, then SIGKILL after two seconds; resolves once the child is gone. */
  private async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
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
