import { z } from 'zod';
import { ModelDownloadProgress, ModelsReport, ResidentModel } from '../../models.js';
import { route } from '../route.js';

const MAX_PATTERNS = 100;
const patterns = (field: string) =>
  z
    .array(z.string().min(1).max(200), { error: `"${field}" must be a list of at most ${MAX_PATTERNS} glob patterns (1-200 characters each)` })
    .max(MAX_PATTERNS, { error: `"${field}" must be a list of at most ${MAX_PATTERNS} glob patterns (1-200 characters each)` })
    .optional();
/** `worker`: one worker's id (GET /health lists them); absent: every connected worker. */
const worker = z.string().min(1, { error: '"worker" must be the id of a worker of the pool (GET /health lists them)' }).optional();
const repoId = z.string({ error: '"repo_id" must be a Hugging Face repo id like "owner/name"' });
const path = z
  .string()
  .min(1)
  .max(500)
  .refine((value) => !value.includes('..'), { error: '"path" must be a file of the repo (1-500 characters, no "..")' })
  .optional();

/** A model to download or act on; the repo id's form is checked by the runtime, which knows the Hub's rules. */
export const ModelRequest = z.object({
  repo_id: repoId,
  path,
  allow_patterns: patterns('allow_patterns'),
  ignore_patterns: patterns('ignore_patterns'),
  worker,
});

const deleted = z.object({ repo_id: z.string(), deleted: z.literal(true), workers: z.array(z.string()) });
const workerQuery = z.object({ worker });

export const models = {
  report: route({
    method: 'GET',
    path: '/api/models',
    access: 'token',
    summary: 'the workers’ caches (repo, size, whether loaded), what the keep-alive holds, downloads in flight, the default keep-alive (`?worker=` for one)',
    query: workerQuery,
    replies: { 200: ModelsReport },
    errors: { 400: 'no such worker', 503: 'no worker is connected' },
  }),
  resident: route({
    method: 'GET',
    path: '/api/models/resident',
    access: 'token',
    summary: 'what is loaded, since when, and the keep-alive left (`remaining_ms`); asks the workers nothing',
    replies: { 200: z.object({ resident: z.array(ResidentModel) }) },
    errors: {},
  }),
  download: route({
    method: 'POST',
    path: '/api/models/download',
    access: 'token',
    summary: '`{repo_id, allow_patterns?, ignore_patterns?, path?, worker?}` → 202; progress as WebSocket `models_download` to every client',
    body: ModelRequest,
    replies: { 202: ModelDownloadProgress.extend({ workers: z.array(z.string()) }) },
    errors: { 400: 'not a repo id, bad patterns', 503: 'no worker is connected' },
    bodyLimit: 64 * 1024,
  }),
  cancelDownload: route({
    method: 'POST',
    path: '/api/models/download/cancel',
    access: 'token',
    summary: '`{repo_id, path?, worker?}`: stop a download',
    body: ModelRequest.pick({ repo_id: true, path: true, worker: true }),
    replies: { 202: z.object({ repo_id: z.string(), status: z.literal('cancelling') }) },
    errors: { 404: 'no such download in progress' },
    bodyLimit: 64 * 1024,
  }),
  evict: route({
    method: 'POST',
    path: '/api/models/evict',
    access: 'token',
    summary: '`{repo_id}` releases its keep-alive; `{all: true}` evicts every loaded model no run is using',
    body: z.object({ repo_id: repoId.optional(), all: z.boolean({ error: '"all" must be true or false' }).optional(), worker }),
    replies: { 200: z.union([z.object({ evicted: z.array(z.string()) }), z.object({ released_nodes: z.array(z.string()), leases: z.array(z.string()) })]) },
    errors: { 400: 'neither or both of repo_id and all', 503: 'no worker is connected' },
    bodyLimit: 64 * 1024,
  }),
  delete: route({
    method: 'DELETE',
    path: '/api/models/:owner/:name',
    access: 'token',
    summary: 'release it, then remove its files from the workers’ caches',
    params: z.object({ owner: z.string().min(1), name: z.string().min(1) }),
    query: workerQuery,
    replies: { 200: deleted },
    errors: { 404: 'no worker has it', 409: 'it is being downloaded' },
  }),
  deleteByRepoId: route({
    method: 'DELETE',
    path: '/api/models/:repo_id',
    access: 'token',
    summary: 'the same for a repo id in one segment (`owner%2Fname`, or a repo without an owner)',
    params: z.object({ repo_id: z.string().min(1) }),
    query: workerQuery,
    replies: { 200: deleted },
    errors: { 404: 'no worker has it', 409: 'it is being downloaded' },
  }),
};
