import { LIVE_JOB_STATUSES } from '@nt/api-contract';
import { sql } from 'kysely';
import type { Db } from '../openDatabase.js';

/** An asset as the server keeps it: its bytes live at `location` (local:… or s3:…). */
export interface AssetInfo {
  id: string;
  content_type: string;
  size: number;
  location: string;
  created_at: string;
}

/** Who holds an asset: a run's node (by job), or an upload (no job). An asset nobody holds can go. */
export interface AssetHolder {
  jobId: string | null;
  nodeId: string | null;
  /** The result slot or blob name, or the uploaded file's name. */
  name: string;
}

/** The assets and asset_refs tables. */
export class AssetRecords {
  constructor(private readonly db: Db) {}

  /** Records an asset (again: the same bytes are the same asset, first record kept) and who holds it. */
  async keep(info: AssetInfo, holder: AssetHolder): Promise<AssetInfo> {
    await this.db.query.transaction().execute(async (trx) => {
      await trx
        .insertInto('assets')
        .values(info)
        .onConflict((conflict) => conflict.column('id').doNothing())
        .execute();
      await trx
        .insertInto('asset_refs')
        .values({ asset_id: info.id, job_id: holder.jobId, node_id: holder.nodeId, name: holder.name, created_at: info.created_at })
        .execute();
    });
    return (await this.get(info.id)) as AssetInfo;
  }

  async get(id: string): Promise<AssetInfo | null> {
    return (await this.db.query.selectFrom('assets').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  }

  /** Assets no run and no upload holds any more (their runs were deleted). */
  async unheld(limit = 500): Promise<AssetInfo[]> {
    return this.db.query
      .selectFrom('assets as a')
      .selectAll('a')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('asset_refs as r').select('r.asset_id').whereRef('r.asset_id', '=', 'a.id'))))
      .limit(limit)
      .execute();
  }

  /** Forgets an asset, only if still nobody holds it; true when it did. */
  async forget(id: string): Promise<boolean> {
    const result = await this.db.query
      .deleteFrom('assets')
      .where('id', '=', id)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('asset_refs as r').select('r.asset_id').where('r.asset_id', '=', id))))
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async totals(): Promise<{ count: number; bytes: number }> {
    const row = await this.db.query
      .selectFrom('assets')
      .select(({ fn }) => [fn.countAll<number>().as('count'), fn.coalesce(fn.sum<number>('size'), sql<number>`0`).as('bytes')])
      .executeTakeFirstOrThrow();
    return { count: Number(row.count), bytes: Number(row.bytes) };
  }

  /**
   * Lets go of uploads made before `cutoff` (ISO time), except those a saved workflow or a run still
   * waiting or running names; answers how many holds went.
   */
  async releaseUploadsBefore(cutoff: string): Promise<number> {
    const contains = (text: 'w.document' | 'j.params') =>
      this.db.kind === 'postgres'
        ? sql<boolean>`strpos(${sql.ref(text)}, asset_refs.asset_id) > 0`
        : sql<boolean>`instr(${sql.ref(text)}, asset_refs.asset_id) > 0`;
    const result = await this.db.query
      .deleteFrom('asset_refs')
      .where('job_id', 'is', null)
      .where('created_at', '<', cutoff)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('workflows as w').select('w.id').where(contains('w.document')))))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('jobs as j')
              .select('j.id')
              .where('j.status', 'in', [...LIVE_JOB_STATUSES])
              .where(contains('j.params')),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
