import { checkGraphLimits, loadWorkflow, validateStructure, pruneEditorOnly } from '@nt/runtime';
import type { App } from '../app.js';
import { HttpError } from '../http/httpError.js';
import { readJsonBody } from '../http/readJsonBody.js';
import type { Router } from '../http/router.js';
import { startRun } from './runRequest.js';

export function addWorkflowRoutes(router: Router, app: App): void {
  // Import a workflow file (the editor's saved format or a bare graph); the same id again replaces it.
  router.add('POST', '/api/workflows', async ({ request }) => {
    const document = await readJsonBody(request, app.config.maxBodyBytes);
    checkGraphLimits(document, app.config.graphLimits);
    const workflow = loadWorkflow(document, 'workflow');
    validateStructure(pruneEditorOnly(workflow.graph));
    const stored = app.workflows.save(workflow, document as Record<string, unknown>);
    return { status: 201, body: { id: stored.id, name: stored.name, node_count: workflow.graph.nodes.length } };
  });

  router.add('GET', '/api/workflows', () => ({ status: 200, body: { workflows: app.workflows.list() } }));

  router.add('GET', '/api/workflows/:id', ({ params }) => ({ status: 200, body: findWorkflow(app, params['id'] as string) }));

  router.add('DELETE', '/api/workflows/:id', ({ params }) => {
    if (!app.workflows.delete(params['id'] as string)) throw new HttpError(404, `no workflow with id "${params['id']}"`);
    return { status: 204 };
  });

  router.add('POST', '/api/workflows/:id/run', async ({ request, params, query }) => {
    const stored = findWorkflow(app, params['id'] as string);
    const body = (await readJsonBody(request, app.config.maxBodyBytes)) as Record<string, unknown>;
    return startRun(app, loadWorkflow(stored.document, `workflow ${stored.id}`), body, query);
  });
}

function findWorkflow(app: App, id: string) {
  const stored = app.workflows.get(id);
  if (!stored) throw new HttpError(404, `no workflow with id "${id}"`);
  return stored;
}
