import type { apiContract } from '@nt/api-contract';
import { checkGraphLimits, loadWorkflow, pruneEditorOnly, validateStructure, workflowInterface } from '@nt/runtime';
import { WorkflowNotFoundError } from '../errors.js';
import type { Handlers } from '../http/contractRoutes.js';
import type { ServerConfig } from '../config.js';
import { readRunRequest } from '../runs/runRequest.js';
import { startRun, type StartRunDeps } from '../runs/startRun.js';
import type { WorkflowStore } from '@nt/data';

/** What the workflow routes use: the saved workflows, the graph limits, and starting a run. */
export interface WorkflowDeps extends StartRunDeps {
  workflows: WorkflowStore;
  config: Pick<ServerConfig, 'graphLimits'>;
}

export const workflowHandlers: Handlers<typeof apiContract.workflows, WorkflowDeps> = {
  // Import a workflow file (the editor's saved format or a bare graph); the same id again replaces it.
  import: async ({ app, body }) => {
    checkGraphLimits(body, app.config.graphLimits);
    const workflow = loadWorkflow(body, 'workflow');
    validateStructure(pruneEditorOnly(workflow.graph));
    const stored = await app.workflows.save(workflow, body as Record<string, unknown>);
    return { status: 201, body: { id: stored.id, name: stored.name, node_count: workflow.graph.nodes.length } };
  },

  list: async ({ app }) => ({ status: 200, body: { workflows: await app.workflows.list() } }),

  get: async ({ app, params }) => {
    const stored = await app.workflows.get(params.id);
    if (!stored) throw new WorkflowNotFoundError(params.id);
    // Its inputs and outputs, for a form or a program that runs it (nodetool's workflow interface).
    const graph = pruneEditorOnly(loadWorkflow(stored.document, `workflow ${stored.id}`).graph);
    return { status: 200, body: { ...stored, interface: workflowInterface(graph) } };
  },

  delete: async ({ app, params }) => {
    if (!(await app.workflows.delete(params.id))) throw new WorkflowNotFoundError(params.id);
    return { status: 204, body: undefined };
  },

  run: async ({ app, params, query, body }) => startRun(app, await readRunRequest(app, body, params.id), query.wait === true),
};
