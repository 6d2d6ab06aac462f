import type {
  CachedModel,
  DiscoverReply,
  ExecuteData,
  ExecuteResult,
  JobEndData,
  JobEndReply,
  JobStartData,
  LoadError,
  ModelsDeleteData,
  ModelsDownloadData,
  ModelsEvictData,
  ModelsEvictReply,
  NodeMetadata,
  WorkerStatus,
} from './messages.js';

/**
 * Every request the client sends, with the shape of its data and of its reply: the one place a new
 * request type is added. `RpcConnection.request(name, data)` is typed from here, and each reply is
 * checked by its parser before a caller sees it, so a contract change fails loudly where it arrives
 * instead of as `undefined` somewhere later.
 */
export interface RequestMap {
  discover: { data: Record<string, never>; reply: DiscoverReply };
  status: { data: Record<string, never>; reply: WorkerStatus };
  execute: { data: ExecuteData; reply: ExecuteResult };
  executeStream: { data: ExecuteData; reply: ExecuteResult };
  jobStart: { data: JobStartData; reply: { job_id: string; started?: boolean } };
  jobEnd: { data: JobEndData; reply: JobEndReply };
  modelsListCached: { data: Record<string, never>; reply: { models: CachedModel[] } };
  modelsDownload: { data: ModelsDownloadData; reply: { repo_id: string; status: string } };
  modelsDelete: { data: ModelsDeleteData; reply: { deleted: boolean } };
  modelsEvict: { data: ModelsEvictData; reply: ModelsEvictReply };
}

export type RequestName = keyof RequestMap;
export type RequestData<N extends RequestName> = RequestMap[N]['data'];
export type RequestReply<N extends RequestName> = RequestMap[N]['reply'];

export interface RequestSpec<N extends RequestName> {
  /** The wire `type` of the request. */
  type: string;
  /** Whether the worker honours `cancel` for it (a timeout or an abort then sends one). */
  cancellable: boolean;
  /** Checks the terminal frame's data and returns it typed; throws ReplyShapeError otherwise. */
  parseReply(data: Record<string, unknown>): RequestReply<N>;
}

/** A reply whose shape breaks the contract; the message names the request and the field. */
export class ReplyShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplyShapeError';
  }
}

export const REQUEST_SPECS: { [N in RequestName]: RequestSpec<N> } = {
  discover: {
    type: 'discover',
    cancellable: false,
    parseReply: (data) => ({
      ...data,
      protocol_version: optionalNumber(data, 'protocol_version', 'discover'),
      // Entries without a node type are not nodes; they are dropped, not fatal.
      nodes: list(data, 'nodes', 'discover').filter((node): node is NodeMetadata => isObject(node) && typeof node['node_type'] === 'string'),
      load_errors: optionalList(data, 'load_errors', 'discover') as LoadError[] | undefined,
    }),
  },
  status: {
    type: 'worker.status',
    cancellable: false,
    parseReply: (data) => {
      number(data, 'protocol_version', 'worker.status');
      return { ...data, namespaces: list(data, 'namespaces', 'worker.status'), load_errors: list(data, 'load_errors', 'worker.status') } as WorkerStatus;
    },
  },
  execute: { type: 'execute', cancellable: true, parseReply: (data) => executeResult(data, 'execute') },
  executeStream: { type: 'execute.stream', cancellable: true, parseReply: (data) => executeResult(data, 'execute.stream') },
  jobStart: {
    type: 'job.start',
    cancellable: false,
    parseReply: (data) => ({ ...data, job_id: string(data, 'job_id', 'job.start') }),
  },
  jobEnd: {
    type: 'job.end',
    cancellable: false,
    parseReply: (data) => ({
      job_id: string(data, 'job_id', 'job.end'),
      released_nodes: (optionalList(data, 'released_nodes', 'job.end') ?? []) as string[],
      known: data['known'] === true,
    }),
  },
  modelsListCached: {
    type: 'models.list_cached',
    cancellable: false,
    parseReply: (data) => ({ models: list(data, 'models', 'models.list_cached').filter(isObject) as CachedModel[] }),
  },
  modelsDownload: {
    type: 'models.download',
    cancellable: true,
    parseReply: (data) => ({ ...data, repo_id: string(data, 'repo_id', 'models.download'), status: string(data, 'status', 'models.download') }),
  },
  modelsDelete: {
    type: 'models.delete',
    cancellable: false,
    parseReply: (data) => ({ deleted: data['deleted'] === true }),
  },
  modelsEvict: {
    type: 'models.evict',
    cancellable: false,
    parseReply: (data) => ({
      ...data,
      evicted: list(data, 'evicted', 'models.evict') as string[],
      freed_vram_gb: optionalNumber(data, 'freed_vram_gb', 'models.evict'),
    }),
  },
};

function executeResult(data: Record<string, unknown>, request: string): ExecuteResult {
  const outputs = data['outputs'] ?? {};
  const blobs = data['blobs'] ?? {};
  if (!isObject(outputs)) throw new ReplyShapeError(`the ${request} reply's "outputs" is not a map`);
  if (!isObject(blobs)) throw new ReplyShapeError(`the ${request} reply's "blobs" is not a map`);
  return { outputs, blobs: blobs as Record<string, Uint8Array | object> };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function string(data: Record<string, unknown>, key: string, request: string): string {
  const value = data[key];
  if (typeof value !== 'string') throw new ReplyShapeError(`the ${request} reply has no string "${key}"`);
  return value;
}

function number(data: Record<string, unknown>, key: string, request: string): number {
  const value = data[key];
  if (typeof value !== 'number') throw new ReplyShapeError(`the ${request} reply has no number "${key}"`);
  return value;
}

function optionalNumber(data: Record<string, unknown>, key: string, request: string): number | undefined {
  return data[key] === undefined || data[key] === null ? undefined : number(data, key, request);
}

function list(data: Record<string, unknown>, key: string, request: string): unknown[] {
  const value = data[key];
  if (!Array.isArray(value)) throw new ReplyShapeError(`the ${request} reply has no list "${key}"`);
  return value;
}

function optionalList(data: Record<string, unknown>, key: string, request: string): unknown[] | undefined {
  return data[key] === undefined || data[key] === null ? undefined : list(data, key, request);
}
