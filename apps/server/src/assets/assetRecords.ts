import type { Db } from '../store/database.js';

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
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      insert: db.prepare('INSERT INTO assets (id, content_type, size, location, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING'),
      get: db.prepare('SELECT * FROM assets WHERE id = ?'),
      hold: db.prepare('INSERT INTO asset_refs (asset_id, job_id, node_id, name, created_at) VALUES (?, ?, ?, ?, ?)'),
      unheld: db.prepare('SELECT a.* FROM assets a WHERE NOT EXISTS (SELECT 1 FROM asset_refs r WHERE r.asset_id = a.id) LIMIT ?'),
      remove: db.prepare('DELETE FROM assets WHERE id = ? AND NOT EXISTS (SELECT 1 FROM asset_refs r WHERE r.asset_id = ?)'),
      count: db.prepare('SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM assets'),
    };
  }

  /** Records an asset (again: the same bytes are the same asset, first record kept) and who holds it. */
  keep(info: AssetInfo, holder: AssetHolder): AssetInfo {
    this.db.transaction(() => {
      this.statements.insert.run(info.id, info.content_type, info.size, info.location, info.created_at);
      this.statements.hold.run(info.id, holder.jobId, holder.nodeId, holder.name, info.created_at);
    })();
    return this.get(info.id) as AssetInfo;
  }

  get(id: string): AssetInfo | null {
    return (this.statements.get.get(id) as AssetInfo | undefined) ?? null;
  }

  /** Assets no run and no upload holds any more (their runs were deleted). */
  unheld(limit = 500): AssetInfo[] {
    return this.statements.unheld.all(limit) as AssetInfo[];
  }

  /** Forgets an asset, only if still nobody holds it; true when it did. */
  forget(id: string): boolean {
    return this.statements.remove.run(id, id).changes > 0;
  }

  totals(): { count: number; bytes: number } {
    return this.statements.count.get() as { count: number; bytes: number };
  }
}
