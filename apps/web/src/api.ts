import type { GuardEventInfo, ModelDownloadProgress, ModelsReport, NodeMetadata, RentedWorkerInfo, StoredWorkflow, WorkflowSummary } from '@nt/api-contract';

/** The server wants its token (NODETOOL_SERVER_TOKEN) and this browser has no session yet. */
export class AuthRequiredError extends Error {}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    // Every state-changing call is JSON, even without a body: the server refuses anything else (CSRF defence).
    headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const payload = text ? JSON.parse(text) : null;
  if (response.status === 401) throw new AuthRequiredError(payload?.error ?? 'the server needs its token');
  if (!response.ok) throw new Error(payload?.error ?? `${method} ${path} answered ${response.status}`);
  return payload as T;
}

export const api = {
  nodes: () => call<{ worker_connected: boolean; nodes: NodeMetadata[] }>('GET', '/api/nodes'),
  workflows: () => call<{ workflows: WorkflowSummary[] }>('GET', '/api/workflows'),
  workflow: (id: string) => call<StoredWorkflow>('GET', `/api/workflows/${encodeURIComponent(id)}`),
  /** Imports a workflow file's text as is; the server validates it. */
  importWorkflow: (text: string) => call<{ id: string; name: string }>('POST', '/api/workflows', text),
  deleteWorkflow: (id: string) => call<void>('DELETE', `/api/workflows/${encodeURIComponent(id)}`),
  cancel: (jobId: string) => call<unknown>('POST', `/api/jobs/${encodeURIComponent(jobId)}/cancel`),
  models: () => call<ModelsReport>('GET', '/api/models'),
  downloadModel: (repoId: string) => call<ModelDownloadProgress>('POST', '/api/models/download', { repo_id: repoId }),
  cancelDownload: (repoId: string, path: string | null) => call<unknown>('POST', '/api/models/download/cancel', { repo_id: repoId, ...(path ? { path } : {}) }),
  evictModel: (repoId: string) => call<unknown>('POST', '/api/models/evict', { repo_id: repoId }),
  evictAllModels: () => call<unknown>('POST', '/api/models/evict', { all: true }),
  deleteModel: (repoId: string) => call<unknown>('DELETE', `/api/models/${repoId.split('/').map(encodeURIComponent).join('/')}`),
  workerProfiles: () => call<{ profiles: Array<{ name: string }> }>('GET', '/api/worker-profiles'),
  rentWorker: (profile: string, attach: boolean) => call<RentedWorkerInfo>('POST', '/api/rented-workers', { profile, attach }),
  rentedWorkers: () => call<{ workers: RentedWorkerInfo[] }>('GET', '/api/rented-workers'),
  guardEvents: () => call<{ events: GuardEventInfo[] }>('GET', '/api/rented-workers/events?limit=50'),
  rentedWorkerAction: (id: string, action: 'stop' | 'start' | 'destroy') =>
    action === 'destroy'
      ? call<RentedWorkerInfo>('DELETE', `/api/rented-workers/${encodeURIComponent(id)}`, { confirm: id })
      : call<RentedWorkerInfo>('POST', `/api/rented-workers/${encodeURIComponent(id)}/${action}`),
  /** Trades the server token for an HttpOnly session cookie; the token is not kept by the page. */
  login: (token: string) => call<{ authenticated: boolean }>('POST', '/api/login', { token }),
};
