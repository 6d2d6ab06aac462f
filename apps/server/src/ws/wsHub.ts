import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { CLIENT_COMMANDS, ClientCommand, isFinalJobStatus, type ServerMessage, type ServerRunEvent } from '@nt/api-contract';
import { toJsonValue } from '@nt/runtime';
import type { ServerConfig } from '../config.js';
import type { JobManager } from '../jobs/jobManager.js';
import type { RunEventBus } from '../replicas/runEventBus.js';
import type { RentedWorkers } from '../rented/rentedWorkers.js';
import type { WorkerPool } from '../workers/workerPool.js';
import { JobNotFoundError } from '../errors.js';
import { toHttpError } from '../http/httpError.js';
import { runCommand, type CommandDeps } from './wsCommands.js';

/** What the hub uses of the server: the runs and the pool (their events), rented workers' events, its limit. */
export interface HubDeps extends CommandDeps {
  runs: CommandDeps['runs'] & Pick<JobManager, 'on' | 'eventsSince'>;
  /** With several replicas: the events of runs other replicas run, and those the database keeps for a reconnect. */
  bus?: Pick<RunEventBus, 'on' | 'since'> | null;
  workers: Pick<WorkerPool, 'on' | 'status'>;
  rented: Pick<RentedWorkers, 'on'>;
  config: CommandDeps['config'] & Pick<ServerConfig, 'wsMaxBufferedBytes'>;
}

/**
 * /ws: clients send `{command, data, request_id?}` as JSON text, each checked against the contract's
 * ClientCommand schema, then run by its handler (wsCommands.ts): `run_job` (which also subscribes the sender to that run), `reconnect_job`
 * (after a dropped connection: what it missed, then live), `subscribe` / `unsubscribe` (a run started
 * elsewhere, by its job_id), and `cancel_job`. A client receives the events of the runs it subscribed to, and nobody else's, plus
 * `worker_status` whenever the worker's state changes, and `models_download` / `models_resident` as the
 * worker's models are downloaded, loaded and released. A client that stops reading is dropped once
 * more than NODETOOL_WS_MAX_BUFFERED_BYTES wait for it, so it cannot grow the server's memory. The
 * upgrade itself (Host, Origin, token) was checked by the HTTP side's security hook.
 */
export class WsHub {
  /** job_id → the clients watching it. */
  private readonly watchers = new Map<string, Set<WebSocket>>();
  /** Every client → the jobs it watches, to forget them when it goes. */
  private readonly watching = new Map<WebSocket, Set<string>>();
  private readonly connections = new Map<WebSocket, Socket>();
  /** Clients whose writes wait for the end of this turn of the event loop, with the bytes this turn gave them. */
  private readonly corked = new Map<WebSocket, number>();
  /** The last `seq` each client was sent of each job it watches: a replay and the live events (another replica's too) never send one twice. */
  private readonly sent = new Map<WebSocket, Map<string, number>>();

  constructor(
    private readonly app: HubDeps,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    app.runs.on('event', (event: ServerRunEvent, text: string) => this.deliver(event, text));
    app.bus?.on('event', (event, text) => this.deliver(event, text));
    app.workers.on('status', () => this.broadcast(this.workerStatus()));
    // The worker's models concern every client (one server, one worker, one set of users).
    app.workers.on('download', (progress) => this.broadcast({ type: 'models_download', ...progress }));
    app.workers.on('resident', (resident) => this.broadcast({ type: 'models_resident', resident }));
    // Rented workers cost money: every client sees what they do and what the guard did to them.
    app.rented.on('worker', (worker) => this.broadcast({ type: 'rented_worker', worker }));
    app.rented.on('guard', (event) => this.broadcast({ type: 'cost_guard', event }));
  }

  /** A client whose upgrade the security hook let through, and the connection under it (what its frames are written to). */
  accept(client: WebSocket, connection?: Socket): void {
    this.watching.set(client, new Set());
    if (connection) this.connections.set(client, connection);
    client.on('message', (data, isBinary) => void this.onMessage(client, isBinary ? null : data.toString()));
    client.on('error', () => client.terminate());
    client.on('close', () => {
      this.forget(client);
      this.connections.delete(client);
    });
    this.send(client, JSON.stringify(this.workerStatus()));
  }

  close(): void {
    for (const client of this.watching.keys()) client.close(1001, 'server shutting down');
  }

  private async onMessage(client: WebSocket, text: string | null): Promise<void> {
    let message: unknown;
    try {
      if (text === null) throw new Error('messages must be JSON text');
      message = JSON.parse(text);
      if (message === null || typeof message !== 'object' || Array.isArray(message)) throw new Error('a message must be a JSON object');
    } catch (error) {
      this.reply(client, { type: 'error', error: `invalid message: ${(error as Error).message}` });
      return;
    }
    const given = message as { command?: unknown; request_id?: unknown };
    const requestId = typeof given.request_id === 'string' && given.request_id.length <= 200 ? given.request_id : undefined;
    // Every command is checked against the contract's schema before anything reads it.
    const parsed = ClientCommand.safeParse(message);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) =>
        issue.path[0] === 'command'
          ? `unknown command ${JSON.stringify(typeof given.command === 'string' ? given.command.slice(0, 60) : (given.command ?? null))}; expected ${CLIENT_COMMANDS.slice(0, -1).join(', ')} or ${CLIENT_COMMANDS.at(-1)}`
          : issue.message,
      );
      this.reply(client, { type: 'error', status: 400, error: problems.join('; '), request_id: requestId });
      return;
    }
    runCommand(parsed.data, {
      app: this.app,
      reply: (answer) => this.reply(client, { ...answer, request_id: requestId }),
      watch: (jobId) => this.watch(client, jobId),
      unwatch: (jobId) => this.unwatch(client, jobId),
      resume: (jobId, lastSeq) => this.resume(client, jobId, lastSeq, requestId),
    }).catch((error: unknown) => {
      const failure = toHttpError(error);
      this.reply(client, { type: 'error', status: failure.status, error: failure.message, request_id: requestId });
    });
  }

  /**
   * reconnect_job: job_resumed, then every event of the job after `lastSeq` the server still holds, then
   * its live events. All of it happens in one turn of the event loop once the job was read, so no event
   * can fall between the replay and the live ones, and none comes twice.
   */
  private async resume(client: WebSocket, jobId: string, lastSeq: number, requestId: string | undefined): Promise<void> {
    const job = await this.app.runs.get(jobId);
    if (!job) throw new JobNotFoundError(jobId);
    // Held here, or (a run of another replica, or of one gone) kept in the database.
    const held = this.app.runs.eventsSince(jobId, lastSeq) ?? (this.app.bus ? await this.app.bus.since(jobId, lastSeq) : null);
    const skipped = held ? held.skipped : 0;
    const ended = held ? held.ended : isFinalJobStatus(job.status);
    if (!ended) this.watch(client, jobId);
    this.reply(client, {
      type: 'job_resumed',
      job_id: jobId,
      last_seq: held?.lastSeq ?? lastSeq,
      skipped,
      // What to start again from when events are missing, or when none are held any more.
      ...(skipped > 0 || !held ? { job: toJsonValue(job) } : {}),
      request_id: requestId,
    });
    for (const text of held?.texts ?? []) this.send(client, text);
    this.sentSeq(client, jobId, held?.lastSeq ?? lastSeq);
  }

  /** Notes what a client was sent of a job; answers false for an event it already had. */
  private sentSeq(client: WebSocket, jobId: string, seq: number | undefined): boolean {
    if (seq === undefined) return true;
    let jobs = this.sent.get(client);
    if (!jobs) this.sent.set(client, (jobs = new Map()));
    if ((jobs.get(jobId) ?? 0) >= seq) return false;
    jobs.set(jobId, seq);
    return true;
  }

  private deliver(event: ServerRunEvent, text: string): void {
    const clients = this.watchers.get(event.job_id);
    if (!clients || clients.size === 0) return;
    for (const client of clients) if (this.sentSeq(client, event.job_id, event.seq)) this.send(client, text);
    // Watching ends with the run's outcome, not with `queued` (a queued run's events are still to come).
    if (event.type === 'job_update' && isFinalJobStatus(event.status)) {
      for (const client of clients) {
        this.watching.get(client)?.delete(event.job_id);
        this.sent.get(client)?.delete(event.job_id);
      }
      this.watchers.delete(event.job_id);
    }
  }

  private watch(client: WebSocket, jobId: string): void {
    let clients = this.watchers.get(jobId);
    if (!clients) this.watchers.set(jobId, (clients = new Set()));
    clients.add(client);
    this.watching.get(client)?.add(jobId);
  }

  private unwatch(client: WebSocket, jobId: string): void {
    this.watchers.get(jobId)?.delete(client);
    if (this.watchers.get(jobId)?.size === 0) this.watchers.delete(jobId);
    this.watching.get(client)?.delete(jobId);
  }

  private forget(client: WebSocket): void {
    for (const jobId of this.watching.get(client) ?? []) this.unwatch(client, jobId);
    this.watching.delete(client);
    this.sent.delete(client);
  }

  /** The pool at a glance, with every worker. */
  private workerStatus(): ServerMessage {
    const { worker, pool } = this.app.workers.status();
    return { type: 'worker_status', ...worker, pool };
  }

  private broadcast(message: ServerMessage): void {
    const text = JSON.stringify(message);
    for (const client of this.watching.keys()) this.send(client, text);
  }

  private reply(client: WebSocket, message: object): void {
    this.send(client, JSON.stringify(message));
  }

  private send(client: WebSocket, text: string): void {
    if (client.readyState !== client.OPEN) return;
    // What already waited before this turn decides, not this turn's messages (held back on purpose,
    // below): a client that keeps up may receive one large result, or many messages at once.
    const thisTurn = this.corked.get(client) ?? 0;
    if (client.bufferedAmount - thisTurn > this.app.config.wsMaxBufferedBytes) {
      this.log(`dropped a WebSocket client that stopped reading (${client.bufferedAmount - thisTurn} bytes were waiting for it)`);
      this.forget(client);
      this.corked.delete(client);
      client.terminate();
      return;
    }
    // A stream sends thousands of messages a second: those of one turn of the event loop go out in one
    // write, not one system call each (measured: the writes were the server's largest cost per item).
    const connection = this.connections.get(client);
    if (connection) {
      if (!this.corked.has(client)) {
        connection.cork();
        if (this.corked.size === 0) setImmediate(() => this.uncork());
      }
      this.corked.set(client, thisTurn + Buffer.byteLength(text));
    }
    client.send(text);
  }

  private uncork(): void {
    for (const client of this.corked.keys()) this.connections.get(client)?.uncork();
    this.corked.clear();
  }
}
