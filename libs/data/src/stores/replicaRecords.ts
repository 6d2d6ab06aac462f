import type { Db } from '../openDatabase.js';

export interface ReplicaInfo {
  id: string;
  host: string;
  /** `bucket`, `shared` (NODETOOL_ASSETS_SHARED) or `local`. */
  assets: string;
  startedAt: string;
  seenAt: number;
}

/** The server replicas sharing the database: each announces itself and beats; one not seen for a lease is gone. */
export class ReplicaRecords {
  constructor(private readonly db: Db) {}

  async announce(replica: ReplicaInfo): Promise<void> {
    await this.db.query
      .insertInto('server_replicas')
      .values({ id: replica.id, host: replica.host, assets: replica.assets, started_at: replica.startedAt, seen_at: replica.seenAt })
      .execute();
  }

  async beat(id: string, now: number): Promise<void> {
    await this.db.query.updateTable('server_replicas').set({ seen_at: now }).where('id', '=', id).execute();
  }

  /** The replicas seen at or after `since`. */
  async alive(since: number): Promise<ReplicaInfo[]> {
    const rows = await this.db.query.selectFrom('server_replicas').selectAll().where('seen_at', '>=', since).orderBy('started_at').execute();
    return rows.map((row) => ({ id: row.id, host: row.host, assets: row.assets, startedAt: row.started_at, seenAt: row.seen_at }));
  }

  /** A replica that stopped (or one long gone, cleaned up by another). */
  async forget(id: string): Promise<void> {
    await this.db.query.deleteFrom('server_replicas').where('id', '=', id).execute();
  }

  /** Removes replicas not seen since `before`; answers their ids. */
  async forgetSilent(before: number): Promise<string[]> {
    const rows = await this.db.query.deleteFrom('server_replicas').where('seen_at', '<', before).returning('id').execute();
    return rows.map((row) => row.id);
  }
}
