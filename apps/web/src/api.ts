import type { NodeMetadata, StoredWorkflow, WorkflowSummary } from './types.js';

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const payload = text ? JSON.parse(text) : null;
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
  run: (id: string, jobId: string) => call<{ job_id: string }>('POST', `/api/workflows/${encodeURIComponent(id)}/run`, { job_id: jobId }),
  cancel: (jobId: string) => call<unknown>('POST', `/api/jobs/${encodeURIComponent(jobId)}/cancel`),
};
