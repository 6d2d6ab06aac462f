import type { Workflow } from '@nt/runtime';
import type { Db } from './database.js';

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

  save(workflow: Workflow, document: Record<string, unknown>): StoredWorkflow {
    const now = new Date().toISOString();
    const description = typeof document['description'] === 'string' ? document['description'] : '';
    this.db
      .prepare(
        `INSERT INTO workflows (id, name, description, document, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description, document = excluded.document, updated_at = excluded.updated_at`,
      )
      .run(workflow.id, workflow.name, description, JSON.stringify(document), now, now);
    return this.get(workflow.id) as StoredWorkflow;
  }

  get(id: string): StoredWorkflow | null {
    const row = this.db.prepare('SELECT * FROM workflows WHERE id = ?').get(id) as (Omit<StoredWorkflow, 'document'> & { document: string }) | undefined;
    return row ? { ...row, document: JSON.parse(row.document) } : null;
  }

  list(): WorkflowSummary[] {
    const rows = this.db.prepare('SELECT id, name, description, document, updated_at FROM workflows ORDER BY updated_at DESC').all() as Array<{
      id: string;
      name: string;
      description: string;
      document: string;
      updated_at: string;
    }>;
    return rows.map(({ document, ...row }) => ({ ...row, node_count: countNodes(JSON.parse(document)) }));
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM workflows WHERE id = ?').run(id).changes > 0;
  }
}

function countNodes(document: Record<string, unknown>): number {
  const graph = (document['graph'] ?? document) as { nodes?: unknown[] };
  return Array.isArray(graph.nodes) ? graph.nodes.length : 0;
}
