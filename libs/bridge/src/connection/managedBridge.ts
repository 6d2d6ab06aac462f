import { EventEmitter } from 'node:events';
import type {
  CachedModel,
  Capabilities,
  ChunkData,
  DiscoverReply,
  DownloadProgressData,
  ExecuteResult,
  JobEndReason,
  JobEndReply,
  LoadError,
  ModelsDownloadData,
  ModelsEvictData,
  ModelsEvictReply,
  NodeMetadata,
  WorkerStatus,
} from '@nt/protocol';
import { capabilitiesOf } from '@nt/protocol';
import { fullJitterDelay } from '../backoff.js';
import { WorkerClient } from '../client/workerClient.js';
import { BridgeClosedError, BridgeError, ConfigError, NotConnectedError, WorkerAuthError, WorkerUnreachableError } from '../errors.js';
import type { BridgeSettings } from '../options.js';
import type { BridgeEvents, BridgeState, BridgeTransport, ExecuteOptions, ExecuteRequest, PythonBridge } from '../pythonBridge.js';
import { RpcConnection } from '../rpc/rpcConnection.js';
import type { Transport, TransportListener } from '../transport/transport.js';
import { ConnectionStatusMachine, isTerminal, type ConnectionStatus } from './connectionStatus.js';

/**
 * The PythonBridge: the one owner of connecting and reconnecting. Each attempt gets a fresh transport,
 * an RpcConnection over it and a WorkerClient that runs the handshake; the bridge keeps the client of
 * the live connection and one ConnectionStatus. With `retryFirstConnect` it retries the first connect
 * too (a server that starts before its worker); without it, connect() fails fast (a CLI).
 */
export abstract class ManagedBridge extends EventEmitter implements PythonBridge {
  private readonly machine: ConnectionStatusMachine;
  private connection: RpcConnection | null = null;
  /** The client of the live connection. */
  private client: WorkerClient | null = null;
  /** The last client that completed a handshake: its catalog stays readable while reconnecting. */
  private lastClient: WorkerClient | null = null;
  private connecting: Promise<void> | null = null;
  /** The connection of an attempt in progress, so close() can end it too. */
  private opening: RpcConnection | null = null;
  private sleeper: { timer: NodeJS.Timeout; wake: () => void } | null = null;
  private described: { target: string; confidential: boolean };

  /** Builds the transport for one connection attempt (the WebSocket one resolves the URL and reads the token first). */
  protected abstract createTransport(listener: TransportListener): Transport | Promise<Transport>;

  /** A cheap check that the worker's port accepts connections (a bare TCP connect), or null when there is none to make. */
  protected probe(): Promise<boolean> | null {
    return null;
  }

  protected constructor(
    readonly transport: BridgeTransport,
    protected readonly settings: BridgeSettings,
    initialTarget: { target: string; confidential: boolean },
  ) {
    super();
    this.described = initialTarget;
    this.machine = new ConnectionStatusMachine((status, previous) => {
      this.emit('status', status);
      if (status.state !== previous.state) this.emit('state', status.state as BridgeState);
    });
  }

  get state(): BridgeState {
    return this.machine.status.state as BridgeState;
  }

  get connectionStatus(): ConnectionStatus {
    return this.machine.status;
  }

  get target(): string {
    return this.described.target;
  }

  get confidential(): boolean {
    return this.described.confidential;
  }

  get protocolVersion(): number {
    return this.lastClient?.protocolVersion ?? 0;
  }

  get lastRoundTripMs(): number | null {
    return this.lastClient?.lastRoundTripMs ?? null;
  }

  readonly traffic = { sentBytes: 0, receivedBytes: 0 };

  /** The transport of the live connection, for what only it knows (a stdio child's pid and stderr). */
  protected get liveTransport(): Transport | null {
    return this.connection?.transportHandle ?? null;
  }

  connect(): Promise<void> {
    const state = this.machine.status.state;
    if (state === 'closed') return Promise.reject(new BridgeClosedError('The bridge was closed; create a new one'));
    if (state === 'failed') return Promise.reject(new BridgeClosedError(`The bridge gave up on ${this.target}; create a new one`));
    if (state === 'connected') return Promise.resolve();
    // Already reconnecting on its own: wait for that, rather than racing it with a second attempt.
    if (state === 'reconnecting' && !this.connecting) return this.settled();
    this.connecting ??= this.firstConnect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  /** Resolves at the next `connected`; rejects if the bridge closes or gives up first. */
  private settled(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onState = (state: BridgeState) => {
        if (state === 'connected') resolve();
        else if (state === 'closed' || state === 'failed') reject(this.machine.status.lastError ?? new BridgeClosedError('The bridge was closed'));
        else return;
        this.off('state', onState);
      };
      this.on('state', onState);
    });
  }

  async close(): Promise<void> {
    if (this.machine.status.state === 'closed') return;
    this.machine.transition('closed', { lastError: this.machine.status.lastError });
    this.sleeper?.wake();
    const connections = [this.connection, this.opening];
    this.connection = null;
    this.opening = null;
    this.client = null;
    for (const connection of connections) await connection?.close((what) => new BridgeClosedError(`${what} was aborted: the bridge was closed`));
  }

  override emit<E extends keyof BridgeEvents>(event: E, ...args: BridgeEvents[E]): boolean {
    return super.emit(event, ...args);
  }

  // The catalog of the last handshake.
  getNodeMetadata(): NodeMetadata[] {
    return this.lastClient?.getNodeMetadata() ?? [];
  }

  hasNodeType(nodeType: string): boolean {
    return this.lastClient?.hasNodeType(nodeType) ?? false;
  }

  getWorkerStatus(): WorkerStatus | null {
    return this.lastClient?.getWorkerStatus() ?? null;
  }

  getLoadErrors(): LoadError[] {
    return this.lastClient?.getLoadErrors() ?? [];
  }

  capabilities(): Capabilities {
    return this.lastClient?.capabilities() ?? capabilitiesOf(null);
  }

  // The requests, on the live connection.
  discover(): Promise<DiscoverReply> {
    return this.live((client) => client.discover());
  }

  status(): Promise<WorkerStatus> {
    return this.live((client) => client.status());
  }

  execute(request: ExecuteRequest, options?: ExecuteOptions): Promise<ExecuteResult> {
    // The hot path: straight to the live client, no wrapper closure.
    return this.client ? this.client.execute(request, options) : Promise.reject(this.notConnected('execute'));
  }

  executeStream(request: ExecuteRequest, options?: ExecuteOptions): AsyncIterable<ChunkData> {
    const client = this.client;
    if (!client) throw this.notConnected('execute.stream');
    return client.executeStream(request, options);
  }

  startJob(job: { jobId: string; workflowId?: string; userId?: string }): Promise<void> {
    return this.live((client) => client.startJob(job));
  }

  endJob(job: { jobId: string; reason?: JobEndReason }): Promise<JobEndReply | null> {
    return this.live((client) => client.endJob(job));
  }

  listCachedModels(): Promise<CachedModel[]> {
    return this.live((client) => client.listCachedModels());
  }

  downloadModel(
    request: ModelsDownloadData,
    options?: { signal?: AbortSignal; idleTimeoutMs?: number; onProgress?: (progress: DownloadProgressData) => void },
  ): Promise<{ repo_id: string; status: string }> {
    return this.live((client) => client.downloadModel(request, options));
  }

  deleteModel(repoId: string): Promise<{ deleted: boolean }> {
    return this.live((client) => client.deleteModel(repoId));
  }

  evictModels(scope?: ModelsEvictData): Promise<ModelsEvictReply> {
    return this.live((client) => client.evictModels(scope));
  }

  private live<T>(call: (client: WorkerClient) => Promise<T>): Promise<T> {
    const client = this.client;
    return client ? call(client) : Promise.reject(this.notConnected('the request'));
  }

  private notConnected(what: string): NotConnectedError {
    return new NotConnectedError(`Cannot send ${what}: not connected to the worker (${this.state})`);
  }

  private async firstConnect(): Promise<void> {
    this.machine.transition('connecting');
    try {
      await this.attempt();
    } catch (error) {
      const failure = asBridgeError(error);
      if (!this.settings.reconnect.retryFirstConnect || isTerminal(this.machine.status.state)) {
        this.machine.transition('idle', { lastError: failure, tokenRejected: failure instanceof WorkerAuthError });
        throw failure;
      }
      // A server that starts before its worker: keep trying, as after a lost connection.
      await this.retry(failure, 'first connect');
      return;
    }
    this.machine.transition('connected');
    this.emit('connected');
  }

  /** One attempt: a fresh transport, its RPC connection, the handshake. Leaves nothing open when it fails. */
  private async attempt(): Promise<void> {
    const connection: RpcConnection = new RpcConnection(this.settings, {
      onClose: (cause) => this.lost(connection, cause),
      onWarning: (message) => this.emit('warning', message),
      onStderr: (line) => this.emit('stderr', line),
      onExit: (exit) => this.emit('exit', exit),
      onTraffic: (direction, bytes) => {
        if (direction === 'sent') this.traffic.sentBytes += bytes;
        else this.traffic.receivedBytes += bytes;
      },
    });
    try {
      const transport = await this.createTransport(connection.listener);
      connection.attach(transport);
      this.described = { target: transport.target, confidential: transport.confidential };
      if (isTerminal(this.machine.status.state)) throw new BridgeClosedError('The bridge was closed');
      this.opening = connection;
      await connection.open();
      const client = new WorkerClient(connection, this.settings, (message) => this.emit('warning', message));
      await client.handshake();
      if (isTerminal(this.machine.status.state)) throw new BridgeClosedError('The bridge was closed');
      this.connection = connection;
      this.client = client;
      this.lastClient = client;
    } catch (error) {
      await connection.close((what) => new WorkerUnreachableError(`${what} was aborted: the connection attempt failed`));
      throw error;
    } finally {
      if (this.opening === connection) this.opening = null;
    }
  }

  /** The live connection was lost: requests in flight have failed; reconnect (or give up) now. */
  private lost(connection: RpcConnection, cause: BridgeError): void {
    if (connection !== this.connection) return;
    this.connection = null;
    this.client = null;
    if (isTerminal(this.machine.status.state)) return;
    this.emit('disconnected', cause);
    if (!this.settings.reconnect.enabled) {
      this.machine.transition('failed', { lastError: cause });
      return;
    }
    void this.retry(cause, 'reconnect').catch(() => undefined);
  }

  /** Backs off with full jitter and tries again, until connected, closed, or out of attempts or time. */
  private async retry(cause: BridgeError, why: 'first connect' | 'reconnect'): Promise<void> {
    const policy = this.settings.reconnect;
    const startedAt = Date.now();
    let lastError = cause;
    // After a lost link the first retry goes at once: most drops are a restart that is already over.
    const firstDelayAttempt = why === 'reconnect' ? 0 : 1;
    for (let attempt = 1; ; attempt++) {
      const outOfAttempts = policy.maxAttempts !== undefined && attempt > policy.maxAttempts;
      const outOfTime = policy.deadlineMs !== undefined && Date.now() - startedAt >= policy.deadlineMs;
      if (outOfAttempts || outOfTime) {
        const gaveUp = new WorkerUnreachableError(
          `Gave up reconnecting to ${this.target} after ${attempt - 1} attempt(s) in ${Date.now() - startedAt} ms: ${lastError.message}`,
          { cause: lastError },
        );
        this.machine.transition('failed', { lastError: gaveUp, tokenRejected: lastError instanceof WorkerAuthError });
        this.emit('reconnect_failed', gaveUp);
        throw gaveUp;
      }
      const backoffStep = attempt - 1 + firstDelayAttempt;
      const delayMs = backoffStep === 0 ? 0 : fullJitterDelay(backoffStep, policy, policy.random);
      const nextRetryAt = Date.now() + delayMs;
      // Counted from the first connect when retrying it (that was attempt 1), from the loss otherwise.
      const shown = attempt + firstDelayAttempt;
      if (!this.machine.transition('reconnecting', { attempt: shown, nextRetryAt, lastError, tokenRejected: lastError instanceof WorkerAuthError })) {
        throw new BridgeClosedError('The bridge was closed');
      }
      this.emit('reconnecting', { attempt: shown, delayMs, nextRetryAt });
      await this.waitToRetry(delayMs);
      if (isTerminal(this.machine.status.state)) throw new BridgeClosedError('The bridge was closed');
      try {
        await this.attempt();
      } catch (error) {
        lastError = asBridgeError(error);
        if (lastError instanceof WorkerAuthError) this.emit('auth_rejected', lastError);
        continue;
      }
      this.machine.transition('connected');
      this.emit(why === 'reconnect' ? 'reconnected' : 'connected');
      return;
    }
  }

  /**
   * Waits out the backoff. When the port refuses connections at the start of the wait, a bare TCP
   * connect every probeIntervalMs ends the wait as soon as one succeeds: the worker is back. When the
   * port accepts connections already (a proxy in front, a worker refusing the token), the backoff alone
   * paces the next attempt.
   */
  private async waitToRetry(delayMs: number): Promise<void> {
    const interval = this.settings.reconnect.probeIntervalMs;
    const until = Date.now() + delayMs;
    if (interval <= 0 || delayMs <= interval || (await this.probe()) !== false) return this.sleep(until - Date.now());
    while (Date.now() < until && !isTerminal(this.machine.status.state)) {
      await this.sleep(Math.min(interval, until - Date.now()));
      if (isTerminal(this.machine.status.state) || Date.now() >= until) return;
      if (await this.probe()) return;
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeper = null;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeper = { timer, wake };
    });
  }
}

function asBridgeError(error: unknown): BridgeError | ConfigError {
  return error instanceof BridgeError || error instanceof ConfigError ? error : new WorkerUnreachableError(String((error as Error)?.message ?? error));
}
