import { checkGraphLimits, loadWorkflow, validateStructure, pruneEditorOnly } from '@nt/runtime';
import type { App } from '../app.js';
import { WorkflowNotFoundError } from '../errors.js';
import { readJsonBody } from '../http/readJsonBody.js';
import type { Router } from '../http/router.js';

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

  router.add('GET', '/api/workflows/:id', ({ params }) => {
    const stored = app.workflows.get(params['id'] as string);
    if (!stored) throw new WorkflowNotFoundError(params['id'] as string);
    return { status: 200, body: stored };
  });

  router.add('DELETE', '/api/workflows/:id', ({ params }) => {
    if (!app.workflows.delete(params['id'] as string)) throw new WorkflowNotFoundError(params['id'] as string);
    return { status: 204 };
  });
}
