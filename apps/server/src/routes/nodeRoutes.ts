import type { apiContract } from '@nt/api-contract';
import { NodeCatalog } from '@nt/runtime';
import type { Handlers } from '../http/contractRoutes.js';
import type { WorkerPool } from '../workers/workerPool.js';

/** What the node catalog reads: the pool. */
export interface NodeDeps {
  workers: Pick<WorkerPool, 'catalog' | 'connected'>;
}

export const nodeHandlers: Handlers<typeof apiContract.nodes, NodeDeps> = {
  // TS built-ins always; the workers' nodes while one is connected.
  list: ({ app, query }) => {
    const nodes = new NodeCatalog(app.workers.catalog()).allMetadata().filter((node) => !query.namespace || node.node_type.startsWith(`${query.namespace}.`));
    return { status: 200, body: { worker_connected: app.workers.connected().length > 0, nodes } };
  },
};
