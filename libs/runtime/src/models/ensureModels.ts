import type { PythonBridge } from '@nt/bridge';
import type { NodeMetadata } from '@nt/protocol';
import type { Graph } from '../graph.js';
import type { NodeCatalog } from '../nodeCatalog.js';
import type { ModelDownloadProgress } from '../runEvents.js';
import { modelKey, modelRefsIn, type ModelRef } from './modelRefs.js';
import { downloadModelOnce } from './sharedDownloads.js';

/**
 * Before a run, the models its nodes name and the worker lacks are downloaded into the worker's
 * cache, with progress, as `ollama run` pulls a missing model. The worker never downloads on its
 * own: a node whose model is missing fails with "must be downloaded first".
 *
 * Models a node receives over an edge are not known before the run and are not fetched.
 */

/** The models of a run, some missing from the worker's cache, and the run said not to download. */
export class ModelsMissingError extends Error {
  readonly code = 'RUN_ERR_MODELS_MISSING';
  constructor(readonly missing: ModelRef[]) {
    const names = missing.map(modelKey);
    const commands = missing.map((ref) => `nodetool models download ${ref.repo_id}${ref.path ? ` --path ${ref.path}` : ''}`);
    super(
      `The worker's cache lacks ${names.length === 1 ? 'the model' : 'the models'} ${names.join(', ')}, and this run does not download. ` +
        `Fetch ${names.length === 1 ? 'it' : 'them'} with \`${commands.join('` and `')}\` (or the Download button in the web UI's Models panel), ` +
        'or run again without --no-download (download_missing: false in the API).',
    );
    this.name = 'ModelsMissingError';
  }
}

export interface EnsureModelsOptions {
  /** false: do not download; a missing model fails the run with ModelsMissingError. */
  download?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: ModelDownloadProgress) => void;
  /** Models known to be loaded right now (held by the keep-alive): they are in the cache, not asked about. */
  isResident?: (model: string) => boolean;
  /** HF_TOKEN for the downloads (gated repos), when the secret policy lets it go to this worker. */
  token?: string;
}

// Models this process saw in a worker's cache, per bridge: a repeated run asks the worker nothing.
// A reconnect forgets them (another worker, or a wiped volume, may answer now).
const knownCached = new WeakMap<PythonBridge, Set<string>>();

function knownFor(bridge: PythonBridge): Set<string> {
  let known = knownCached.get(bridge);
  if (!known) {
    const fresh = new Set<string>();
    knownCached.set(bridge, fresh);
    bridge.on('reconnected', () => fresh.clear());
    known = fresh;
  }
  return known;
}

/** Forget what was seen in the cache for a repo (it was deleted through us). */
export function forgetCachedModel(bridge: PythonBridge, repoId: string): void {
  const known = knownCached.get(bridge);
  if (!known) return;
  for (const model of known) if (model === repoId || model.startsWith(`${repoId}:`)) known.delete(model);
}

/** The models the Python nodes of a graph name in their own values, one entry per model key. */
export function modelsOfGraph(graph: Graph, catalog: NodeCatalog): ModelRef[] {
  const found = new Map<string, ModelRef>();
  for (const node of graph.nodes) {
    const entry = catalog.lookup(node.type);
    if (entry?.kind !== 'python') continue;
    for (const ref of modelsOfNode(node.data, entry.metadata)) if (!found.has(modelKey(ref))) found.set(modelKey(ref), ref);
  }
  return [...found.values()];
}

/** The models one node names in these values, with the files its own recommendation says it needs. */
export function modelsOfNode(fields: Record<string, unknown>, metadata: NodeMetadata): ModelRef[] {
  return modelRefsIn(fields).map((ref) => withRecommendedPatterns(ref, metadata));
}

/**
 * A reference without patterns would fetch the whole repo (for all-MiniLM-L6-v2 that is ONNX,
 * OpenVINO and TF copies besides the weights the node loads). The node's own recommendation for
 * the same repo says which files it needs; use its patterns.
 */
function withRecommendedPatterns(ref: ModelRef, metadata: NodeMetadata): ModelRef {
  if (ref.allow_patterns || ref.ignore_patterns || ref.path) return ref;
  const recommended = (metadata.recommended_models ?? []).find(
    (model) => typeof model === 'object' && model !== null && (model as Record<string, unknown>)['repo_id'] === ref.repo_id,
  ) as Record<string, unknown> | undefined;
  if (!recommended || recommended['path']) return ref;
  const allow = recommended['allow_patterns'];
  const ignore = recommended['ignore_patterns'];
  return {
    ...ref,
    ...(Array.isArray(allow) && allow.length ? { allow_patterns: allow as string[] } : {}),
    ...(Array.isArray(ignore) && ignore.length ? { ignore_patterns: ignore as string[] } : {}),
  };
}

/** Returns the models that were downloaded. */
export async function ensureModelsCached(bridge: PythonBridge, refs: ModelRef[], options: EnsureModelsOptions = {}): Promise<ModelRef[]> {
  // A worker below protocol 2 has no models.* requests: its nodes report a missing model themselves.
  if (refs.length === 0 || !bridge.capabilities().modelManagement) return [];
  const known = knownFor(bridge);
  const unknown = refs.filter((ref) => !known.has(modelKey(ref)) && !options.isResident?.(modelKey(ref)));
  if (unknown.length === 0) return [];
  // One listing for the whole run; it reads the cache only (no network).
  const cached = await bridge.listCachedModels();
  const present = new Set(cached.map((model) => model.repo_id ?? model.id));
  const missing: ModelRef[] = [];
  for (const ref of unknown) {
    if (present.has(ref.repo_id)) known.add(modelKey(ref));
    else missing.push(ref);
  }
  if (missing.length === 0) return [];
  if (options.download === false) throw new ModelsMissingError(missing);
  for (const ref of missing) {
    const reply = await downloadModelOnce(bridge, ref, { signal: options.signal, onProgress: options.onProgress, token: options.token });
    if (reply.status !== 'completed') throw new Error(`The download of ${modelKey(ref)} ended "${reply.status}" on the worker, so the run cannot start`);
    known.add(modelKey(ref));
  }
  return missing;
}
