import { modelRefsIn, type ModelRef } from '@nt/runtime';
import type { App } from '../app.js';
import { InvalidRequestError } from '../errors.js';
import { readJsonBody } from '../http/readJsonBody.js';
import type { Router } from '../http/router.js';

/**
 * The workers' models (each request takes `worker`, a worker's id, to address one; else every connected worker):
 *   GET    /api/models                  cached, resident (with the keep-alive left), downloads in flight
 *   GET    /api/models/resident         only what the keep-alive holds (cheap: asks the worker nothing)
 *   POST   /api/models/download         {repo_id, allow_patterns?, ignore_patterns?, path?} → 202; progress as WS models_download
 *   POST   /api/models/download/cancel  {repo_id, path?}
 *   POST   /api/models/evict            {repo_id} (its keep-alive) or {all: true} (every loaded model)
 *   DELETE /api/models/<owner>/<name>   its files, after releasing what the keep-alive holds of it
 */
export function addModelRoutes(router: Router, app: App): void {
  router.add('GET', '/api/models', async ({ query }) => ({ status: 200, body: await app.models.report(query.get('worker') ?? undefined) }));

  router.add('GET', '/api/models/resident', () => ({ status: 200, body: { resident: app.models.resident() } }));

  router.add('POST', '/api/models/download', async ({ request }) => {
    const body = await readJsonBody(request, 64 * 1024);
    return { status: 202, body: app.models.download(readModelRef(body), workerOf(body)) };
  });

  router.add('POST', '/api/models/download/cancel', async ({ request }) => {
    const body = await readJsonBody(request, 64 * 1024);
    const ref = readModelRef(body);
    app.models.cancelDownload(ref.path ? `${ref.repo_id}:${ref.path}` : ref.repo_id, workerOf(body));
    return { status: 202, body: { repo_id: ref.repo_id, status: 'cancelling' } };
  });

  router.add('POST', '/api/models/evict', async ({ request }) => {
    const body = (await readJsonBody(request, 64 * 1024)) as Record<string, unknown>;
    if (body['all'] === true && body['repo_id'] === undefined) return { status: 200, body: await app.models.evict(null, workerOf(body)) };
    if (body['all'] !== undefined && body['all'] !== false) throw new InvalidRequestError('evict takes either {"all": true} or {"repo_id": "<owner>/<name>"}');
    return { status: 200, body: await app.models.evict(readModelRef(body).repo_id, workerOf(body)) };
  });

  const remove = ({ params, query }: { params: Record<string, string>; query: URLSearchParams }) => {
    const repoId = params['name'] ? `${params['owner']}/${params['name']}` : (params['owner'] as string);
    return app.models.delete(readModelRef({ repo_id: repoId }).repo_id, query.get('worker') ?? undefined).then((body) => ({ status: 200, body }));
  };
  router.add('DELETE', '/api/models/:owner/:name', remove);
  // One segment: a repo without an owner, or "<owner>%2F<name>".
  router.add('DELETE', '/api/models/:owner', remove);
}

const MAX_PATTERNS = 100;

/** `worker` in a body: one worker's id, or undefined for every connected worker. */
function workerOf(body: unknown): string | undefined {
  const worker = (body as Record<string, unknown> | null)?.['worker'];
  if (worker === undefined) return undefined;
  if (typeof worker !== 'string' || !worker) throw new InvalidRequestError('"worker" must be the id of a worker of the pool (GET /health lists them)');
  return worker;
}

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
