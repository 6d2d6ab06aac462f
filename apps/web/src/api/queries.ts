import { useQuery } from '@tanstack/react-query';
import type { ModelDownloadProgress, PoolHealth, ResidentModel, WorkerHealth } from '@nt/api-contract';
import { api } from './client.js';

/** Every piece of server state the page holds, by key; the WebSocket's messages update the same entries. */
export const keys = {
  status: ['status'] as const,
  nodes: ['nodes'] as const,
  workflows: ['workflows'] as const,
  workflow: (id: string) => ['workflows', id] as const,
  rentedWorkers: ['rented-workers'] as const,
  guardEvents: ['guard-events'] as const,
  workerProfiles: ['worker-profiles'] as const,
  models: ['models'] as const,
  modelDownloads: ['model-downloads'] as const,
  residentModels: ['resident-models'] as const,
  capacity: ['capacity'] as const,
};

/** The pool at a glance and every worker; /health first, then each `worker_status` message. */
export interface WorkerStatus {
  health: WorkerHealth | null;
  pool: PoolHealth | null;
}

export const useWorkerStatus = () =>
  useQuery({
    queryKey: keys.status,
    queryFn: async (): Promise<WorkerStatus> => {
      const { body } = await api.health.get();
      return { health: body.worker ?? null, pool: body.pool ?? null };
    },
  });

export const useNodes = () => useQuery({ queryKey: keys.nodes, queryFn: async () => (await api.nodes.list()).body.nodes });
export const useWorkflows = () => useQuery({ queryKey: keys.workflows, queryFn: async () => (await api.workflows.list()).body.workflows });
export const useWorkflow = (id: string | null) =>
  useQuery({ queryKey: keys.workflow(id ?? ''), queryFn: async () => (await api.workflows.get({ params: { id: id as string } })).body, enabled: id !== null });
export const useRentedWorkers = () =>
  useQuery({
    queryKey: keys.rentedWorkers,
    queryFn: async () => (await api.rentedWorkers.list()).body.workers.sort((a, b) => a.created_at.localeCompare(b.created_at)),
  });
export const useGuardEvents = () =>
  useQuery({ queryKey: keys.guardEvents, queryFn: async () => (await api.rentedWorkers.events({ query: { limit: 50 } })).body.events });
/** Elastic capacity; spend accrues by the second, so it is asked again every 10 s (rented-worker messages refresh it too). */
export const useCapacity = () => useQuery({ queryKey: keys.capacity, queryFn: async () => (await api.capacity.get()).body, refetchInterval: 10_000 });
export const useWorkerProfiles = () =>
  useQuery({ queryKey: keys.workerProfiles, queryFn: async () => (await api.workerProfiles.list()).body.profiles.map((profile) => profile.name) });
export const useModels = (workerConnected: boolean) =>
  useQuery({ queryKey: keys.models, queryFn: async () => (await api.models.report()).body, enabled: workerConnected });

/** Pushed only (WebSocket `models_download`): every download's progress, by model. */
export const useModelDownloads = () =>
  useQuery({ queryKey: keys.modelDownloads, queryFn: (): Record<string, ModelDownloadProgress> => ({}), staleTime: Infinity, gcTime: Infinity });

/** Pushed only (WebSocket `models_resident`): what the keep-alive holds, and when the page heard it. */
export const useResidentModels = () =>
  useQuery({
    queryKey: keys.residentModels,
    queryFn: (): { models: ResidentModel[]; receivedAt: number } | null => null,
    staleTime: Infinity,
    gcTime: Infinity,
  });
