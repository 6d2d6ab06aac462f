import type { apiContract } from '@nt/api-contract';
import { modelRefsIn, type ModelRef } from '@nt/runtime';
import { InvalidRequestError } from '../errors.js';
import type { Handlers } from '../http/contractRoutes.js';
import type { PoolModels } from '../models/poolModels.js';

/** What the model routes use: the pool's models. */
export interface ModelDeps {
  models: PoolModels;
}

/** The workers' models; each request may name one `worker` (its id), else every connected worker acts. */
export const modelHandlers: Handlers<typeof apiContract.models, ModelDeps> = {
  report: async ({ app, query }) => ({ status: 200, body: await app.models.report(query.worker) }),

  resident: ({ app }) => ({ status: 200, body: { resident: app.models.resident() } }),

  download: ({ app, body }) => ({ status: 202, body: app.models.download(modelRef(body), body.worker) }),

  cancelDownload: ({ app, body }) => {
    const ref = modelRef(body);
    app.models.cancelDownload(ref.path ? `${ref.repo_id}:${ref.path}` : ref.repo_id, body.worker);
    return { status: 202, body: { repo_id: ref.repo_id, status: 'cancelling' } };
  },

  evict: async ({ app, body }) => {
    if (body.all === true && body.repo_id === undefined) return { status: 200, body: await app.models.evict(null, body.worker) };
    if ((body.all !== undefined && body.all !== false) || body.repo_id === undefined)
      throw new InvalidRequestError('evict takes either {"all": true} or {"repo_id": "<owner>/<name>"}');
    return { status: 200, body: await app.models.evict(modelRef({ repo_id: body.repo_id }).repo_id, body.worker) };
  },

  delete: async ({ app, params, query }) => ({
    status: 200,
    body: await app.models.delete(modelRef({ repo_id: `${params.owner}/${params.name}` }).repo_id, query.worker),
  }),

  // One segment: a repo without an owner, or "<owner>%2F<name>".
  deleteByRepoId: async ({ app, params, query }) => ({
    status: 200,
    body: await app.models.delete(modelRef({ repo_id: params.repo_id }).repo_id, query.worker),
  }),
};

/** The runtime's reading of a model reference: a Hub repo id (owner/name) and optionally one file of it. */
function modelRef(fields: { repo_id: string; path?: string; allow_patterns?: string[]; ignore_patterns?: string[] }): ModelRef {
  const [ref] = modelRefsIn({ model: fields });
  if (!ref) throw new InvalidRequestError(`"repo_id" must be a Hugging Face repo id like "owner/name", got ${JSON.stringify(fields.repo_id)}`);
  return ref;
}
