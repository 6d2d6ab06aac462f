import type { Db } from '../openDatabase.js';

export interface StoredWorkflow {
  id: string;
  name: string;
  description: string;
  /** The document as imported (editor fields kept, so the UI can draw it as saved). */
  document: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface WorkflowSummary {
  id: string;
  name: string;
  description: string;
  node_count: number;
  updated_at: string;
}

/** Workflows by id; importing an id again replaces it. */
export class WorkflowStore {
  constructor(private readonly db: Db) {}

  async save(workflow: { id: string; name: string }, document: Record<string, unknown>): Promise<StoredWorkflow> {
    const now = new Date().toISOString();
    const description = typeof document['description'] === 'string' ? document['description'] : '';
    await this.db.query
      .insertInto('workflows')
      .values({ id: workflow.id, name: workflow.name, description, document: JSON.stringify(document), created_at: now, updated_at: now })
      .onConflict((conflict) =>
        conflict.column('id').doUpdateSet((row) => ({
          name: row.ref('excluded.name'),
          description: row.ref('excluded.description'),
          document: row.ref('excluded.document'),
          updated_at: row.ref('excluded.updated_at'),
        })),
      )
      .execute();
    return (await this.get(workflow.id)) as StoredWorkflow;
  }

  async get(id: string): Promise<StoredWorkflow | null> {
    const row = await this.db.query.selectFrom('workflows').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { ...row, document: JSON.parse(row.document) } : null;
  }

  async list(): Promise<WorkflowSummary[]> {
    const rows = await this.db.query
      .selectFrom('workflows')
      .select(['id', 'name', 'description', 'document', 'updated_at'])
      .orderBy('updated_at', 'desc')
      .execute();
    return rows.map(({ document, ...row }) => ({ ...row, node_count: countNodes(JSON.parse(document)) }));
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.query.deleteFrom('workflows').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function countNodes(document: Record<string, unknown>): number {
  const graph = (document['graph'] ?? document) as { nodes?: unknown[] };
  return Array.isArray(graph.nodes) ? graph.nodes.length : 0;
}
