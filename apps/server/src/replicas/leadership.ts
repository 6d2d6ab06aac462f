import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Db } from '@nt/data';

/** The advisory lock the leader holds for as long as it leads: any number, the same in every release. */
const LEADER_LOCK = 7_702_901_002;

export interface LeadershipEvents {
  gained: [];
  lost: [reason: string];
}

/**
 * Which replica does the singleton work (the cost guard, retention, following rented workers' bring-ups,
 * the elastic scaler): the one holding a Postgres advisory lock on a connection of its own. The lock goes
 * with that connection, so a leader that dies (or loses the database) frees it, and another replica,
 * trying every `retryMs`, takes over within that. On SQLite there is one server: it leads at once.
 */
export class Leadership extends EventEmitter<LeadershipEvents> {
  private client: pg.Client | null = null;
  private leading = false;
  private timer: NodeJS.Timeout | null = null;
  private trying: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly options: { retryMs: number; log: (line: string) => void },
  ) {
    super();
  }

  get leader(): boolean {
    return this.leading;
  }

  start(): void {
    if (this.stopped) return;
    if (this.db.kind === 'sqlite') {
      this.leading = true;
      queueMicrotask(() => this.emit('gained'));
      return;
    }
    this.timer = setInterval(() => this.attempt(), this.options.retryMs);
    this.timer.unref();
    this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.trying;
    const client = this.client;
    this.client = null;
    this.leading = false;
    // Ending the connection frees the lock: the next replica takes over at its next try.
    await client?.end().catch(() => undefined);
  }

  private attempt(): void {
    if (this.trying || this.stopped) return;
    this.trying = (this.leading ? this.stillLeading() : this.takeOver())
      .catch((error: Error) => this.lose(`the leader's database connection failed: ${error.message}`))
      .finally(() => (this.trying = null));
  }

  private async takeOver(): Promise<void> {
    if (!this.client) {
      const target = this.db.target;
      if (target.kind !== 'postgres') return;
      const client = new pg.Client({ connectionString: target.url, keepAlive: true });
      client.on('error', (error: Error) => this.lose(`the leader's database connection failed: ${error.message}`));
      await client.connect();
      this.client = client;
    }
    const { rows } = await this.client.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1) AS taken', [LEADER_LOCK]);
    if (!rows[0]?.taken || this.stopped) return;
    this.leading = true;
    this.options.log('this replica leads: it runs the cost guard, retention, rented workers’ bring-ups and the scaler');
    this.emit('gained');
  }

  /** A leader checks its connection every try: one the database dropped no longer holds the lock. */
  private async stillLeading(): Promise<void> {
    await this.client?.query('SELECT 1');
  }

  private lose(reason: string): void {
    const client = this.client;
    this.client = null;
    void client?.end().catch(() => undefined);
    if (!this.leading) return;
    this.leading = false;
    this.options.log(`this replica no longer leads: ${reason}`);
    this.emit('lost', reason);
  }
}
