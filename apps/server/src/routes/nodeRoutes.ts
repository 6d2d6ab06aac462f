import { NodeCatalog } from '@nt/runtime';
import type { App } from '../app.js';
import type { Router } from '../http/router.js';

export function addNodeRoutes(router: Router, app: App): void {
  // TS built-ins always; the worker's nodes while it is connected.
  router.add('GET', '/api/nodes', ({ query }) => {
    const namespace = query.get('namespace');
    const nodes = new NodeCatalog(app.workers.catalog()).allMetadata().filter((node) => !namespace || node.node_type.startsWith(`${namespace}.`));
    return { status: 200, body: { worker_connected: app.workers.connected().length > 0, nodes } };
  });
}
