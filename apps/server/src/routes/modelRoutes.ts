import { modelRefsIn, type ModelRef } from '@nt/runtime';
import type { App } from '../app.js';
import { InvalidRequestError } from '../errors.js';
import { readJsonBody } from '../http/readJsonBody.js';
import type { Router } from '../http/router.js';

/**
 * The worker's models:
 *   GET    /api/models                  cached, resident (with the keep-alive left), downloads in flight
 *   GET    /api/models/resident         only what the keep-alive holds (cheap: asks the worker nothing)
 *   POST   /api/models/download         {repo_id, allow_patterns?, ignore_patterns?, path?} → 202; progress as WS models_download
 *   POST   /api/models/download/cancel  {repo_id, path?}
 *   POST   /api/models/evict            {repo_id} (its keep-alive) or {all: true} (every loaded model)
 *   DELETE /api/models/<owner>/<name>   its files, after releasing what the keep-alive holds of it
 */
export function addModelRoutes(router: Router, app: App): void {
  router.add('GET', '/api/models', async () => ({ status: 200, body: await app.models.report() }));

  router.add('GET', '/api/models/resident', () => ({ status: 200, body: { resident: app.models.resident() } }));

  router.add('POST', '/api/models/download', async ({ request }) => {
    const ref = readModelRef(await readJsonBody(request, 64 * 1024));
    return { status: 202, body: app.models.download(ref) };
  });

  router.add('POST', '/api/models/download/cancel', async ({ request }) => {
    const ref = readModelRef(await readJsonBody(request, 64 * 1024));
    app.models.cancelDownload(ref.path ? `${ref.repo_id}:${ref.path}` : ref.repo_id);
    return { status: 202, body: { repo_id: ref.repo_id, status: 'cancelling' } };
  });

  router.add('POST', '/api/models/evict', async ({ request }) => {
    const body = (await readJsonBody(request, 64 * 1024)) as Record<string, unknown>;
    if (body['all'] === true && body['repo_id'] === undefined) return { status: 200, body: await app.models.evict(null) };
    if (body['all'] !== undefined && body['all'] !== false) throw new InvalidRequestError('evict takes either {"all": true} or {"repo_id": "<owner>/<name>"}');
    return { status: 200, body: await app.models.evict(readModelRef(body).repo_id) };
  });

  const remove = ({ params }: { params: Record<string, string> }) => {
    const repoId = params['name'] ? `${params['owner']}/${params['name']}` : (params['owner'] as string);
    return app.models.delete(readModelRef({ repo_id: repoId }).repo_id).then((body) => ({ status: 200, body }));
  };
  router.add('DELETE', '/api/models/:owner/:name', remove);
  // One segment: a repo without an owner, or "<owner>%2F<name>".
  router.add('DELETE', '/api/models/:owner', remove);
}

const MAX_PATTERNS = 100;

/** {repo_id, path?, allow_patterns?, ignore_patterns?}, checked: a Hub repo id, lists of short strings. */
function readModelRef(body: unknown): ModelRef {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequestError('the body must be a JSON object');
  const record = body as Record<string, unknown>;
  for (const field of ['allow_patterns', 'ignore_patterns'] as const) {
    const value = record[field];
    if (value === undefined) continue;
    if (!Array.isArray(value) || value.length > MAX_PATTERNS || !value.every((item) => typeof item === 'string' && item.length > 0 && item.length <= 200)) {
      throw new InvalidRequestError(`"${field}" must be a list of at most ${MAX_PATTERNS} glob patterns (1-200 characters each)`);
    }
  }
  if (record['path'] !== undefined && (typeof record['path'] !== 'string' || !record['path'] || record['path'].length > 500 || record['path'].includes('..'))) {
    throw new InvalidRequestError('"path" must be a file of the repo (1-500 characters, no "..")');
  }
  const [ref] = modelRefsIn({ model: record });
  if (!ref) throw new InvalidRequestError(`"repo_id" must be a Hugging Face repo id like "owner/name", got ${JSON.stringify(record['repo_id'] ?? null)}`);
  return ref;
}
