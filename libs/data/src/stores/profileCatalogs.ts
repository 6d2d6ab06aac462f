import type { NodeMetadata } from '@nt/protocol';
import type { Db } from '../openDatabase.js';

/**
 * The node catalog each profile's workers announced (`discover`), kept in the database: with no worker
 * of a profile running, the server still knows which runs it can serve, and validates a run against it
 * before anything is rented.
 */
export class ProfileCatalogs {
  /** What this process last wrote per profile, so an unchanged catalog is not written again on every check. */
  private readonly written = new Map<string, string>();

  constructor(private readonly db: Db) {}

  async get(profile: string): Promise<NodeMetadata[] | null> {
    const row = await this.db.query.selectFrom('profile_catalogs').select('nodes').where('profile', '=', profile).executeTakeFirst();
    return row ? (JSON.parse(row.nodes) as NodeMetadata[]) : null;
  }

  /** The catalog a worker of the profile announced now; a no-op when it is the one already kept. */
  async remember(profile: string, nodes: readonly NodeMetadata[]): Promise<void> {
    const text = JSON.stringify(nodes);
    if (this.written.get(profile) === text) return;
    await this.db.query
      .insertInto('profile_catalogs')
      .values({ profile, nodes: text, updated_at: new Date().toISOString() })
      .onConflict((conflict) =>
        conflict.column('profile').doUpdateSet((row) => ({ nodes: row.ref('excluded.nodes'), updated_at: row.ref('excluded.updated_at') })),
      )
      .execute();
    this.written.set(profile, text);
  }

  async forget(profile: string): Promise<void> {
    await this.db.query.deleteFrom('profile_catalogs').where('profile', '=', profile).execute();
    this.written.delete(profile);
  }
}
