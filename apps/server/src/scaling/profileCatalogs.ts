import type { NodeMetadata } from '@nt/protocol';
import type { Db } from '../store/database.js';

/**
 * The node catalog each profile's workers announced (`discover`), kept in the database: with no worker
 * of a profile running, the server still knows which runs it can serve, and validates a run against it
 * before anything is rented.
 */
export class ProfileCatalogs {
  /** What was last written per profile, so an unchanged catalog is not written again on every check. */
  private readonly written = new Map<string, string>();

  constructor(private readonly db: Db) {}

  get(profile: string): NodeMetadata[] | null {
    const row = this.db.prepare('SELECT nodes FROM profile_catalogs WHERE profile = ?').get(profile) as { nodes: string } | undefined;
    return row ? (JSON.parse(row.nodes) as NodeMetadata[]) : null;
  }

  /** The catalog a worker of the profile announced now; a no-op when it is the one already kept. */
  remember(profile: string, nodes: readonly NodeMetadata[]): void {
    const text = JSON.stringify(nodes);
    if (this.written.get(profile) === text) return;
    this.db
      .prepare(
        'INSERT INTO profile_catalogs (profile, nodes, updated_at) VALUES (?, ?, ?) ON CONFLICT(profile) DO UPDATE SET nodes = excluded.nodes, updated_at = excluded.updated_at',
      )
      .run(profile, text, new Date().toISOString());
    this.written.set(profile, text);
  }

  forget(profile: string): void {
    this.db.prepare('DELETE FROM profile_catalogs WHERE profile = ?').run(profile);
    this.written.delete(profile);
  }
}
