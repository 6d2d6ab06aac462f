import { createHash } from 'node:crypto';
import {
  ConnectionClosedError,
  NotConnectedError,
  type AssetInput,
  type BlobSink,
  type ExecuteOptions,
  type ExecuteRequest,
  type PythonBridge,
} from '@nt/bridge';
import { isNpArray, type NodeMetadata } from '@nt/protocol';
import { isAssetRef, type AssetRef } from '@nt/api-contract';
import { WorkerLostError } from './errors.js';
import type { ExecutePlacement } from './models/keepAliveRun.js';
import { missingModelHint } from './models/missingModelHint.js';
import type { NodeContext, NodeExecutor } from './nodeExecutor.js';
import { previewValue } from './previewValue.js';
import { singleWorker, type WorkerHandle, type WorkerRouter } from './workerRouter.js';
import type { RunAssets } from './runAssets.js';
import { pickSecrets, secretPolicyFromEnv, type SecretPolicy } from './workerSecrets.js';

export interface PythonNodeExecutorOptions {
  /** Which settings the node may receive; default from NODETOOL_WORKER_SECRETS. */
  secretPolicy?: SecretPolicy;
  /** The keep-alive's placement of an execute on a worker (a lease's job and node ids); null keeps the run's own. */
  placement?: (worker: WorkerHandle, nodeId: string, fields: Record<string, unknown>) => ExecutePlacement | null;
  /** Runs before an execute on a worker other than the run's home (fetching the node's models there). */
  prepare?: (worker: WorkerHandle, fields: Record<string, unknown>, metadata: NodeMetadata, signal: AbortSignal) => Promise<void>;
  /** Run a node again on another worker when its worker was lost while it ran (it may have had effects: opt-in). */
  retryOnWorkerLoss?: boolean;
  /** Where result blobs go, and how asset inputs are read; without it results are bytes in memory. */
  assets?: RunAssets;
}

/**
 * Maps a graph node onto `execute` calls (`execute.stream` for a node with `is_streaming_output`):
 * binary values travel as blobs, the rest as fields; the run identity keys ride along; progress frames
 * become node progress, previews node previews. Result blobs keyed by a slot name become that slot.
 * The worker is chosen when the node starts (see WorkerRouter): a node that could not even be sent
 * (its worker is down) goes to another worker; one whose worker was lost while it ran fails naming the
 * worker, unless the run opted into running it again (a stream only before its first item: items
 * already sent on cannot be taken back).
 */
export function resolvePythonNodeExecutor(workers: WorkerRouter | PythonBridge, metadata: NodeMetadata, options: PythonNodeExecutorOptions = {}): NodeExecutor {
  const router = 'forNode' in workers ? workers : singleWorker(workers);
  const secretPolicy = options.secretPolicy ?? secretPolicyFromEnv();
  const executor: NodeExecutor = {
    plannedWorker: () => router.forNode(metadata.node_type)?.name,
    async run(values, context) {
      let result: Record<string, unknown> | undefined;
      for await (const outputs of placed(router, await splitInputs(values, options.assets), { metadata, context, secretPolicy, options }, executeOn))
        result = outputs;
      return result as Record<string, unknown>;
    },
  };
  if (!metadata.is_streaming_output) return executor;
  return {
    ...executor,
    async *stream(values, context) {
      yield* placed(router, await splitInputs(values, options.assets), { metadata, context, secretPolicy, options }, streamOn);
    },
  };
}

/** A node's inputs as the worker takes them (see splitInputs). */
interface NodeInputs {
  fields: Record<string, unknown>;
  blobs: Record<string, Uint8Array | Uint8Array[]>;
  assets: Record<string, AssetRef>;
}

/** What an execute of a node needs, whatever worker it goes to. */
interface NodeRun {
  metadata: NodeMetadata;
  context: NodeContext;
  secretPolicy: SecretPolicy;
  options: PythonNodeExecutorOptions;
}

/** One execute of a node on one worker: its inputs there (asset inputs placed for that worker). */
interface Attempt extends NodeRun {
  worker: WorkerHandle;
  fields: Record<string, unknown>;
  blobs: Record<string, Uint8Array | Uint8Array[]>;
  assetInputs: Record<string, AssetInput>;
}

/** A node's input values as the worker takes them: fields, blobs, and assets that stay references until a worker is chosen. */
async function splitInputs(values: Record<string, unknown>, assets: RunAssets | undefined): Promise<NodeInputs> {
  const fields: Record<string, unknown> = {};
  const blobs: Record<string, Uint8Array | Uint8Array[]> = {};
  const assetInputs: Record<string, AssetRef> = {};
  for (const [name, given] of Object.entries(values)) {
    // Assets stay references until the worker is chosen: it may fetch them itself.
    if (isAssetRef(given)) assetInputs[name] = given;
    else if (given instanceof Uint8Array) blobs[name] = given;
    else if (Array.isArray(given) && given.length > 0 && given.every((item) => item instanceof Uint8Array)) blobs[name] = given;
    else if (given !== undefined) {
      // A list of assets goes as the list of blobs it stands for.
      const value = await bytesOfAssets(given, assets);
      if (Array.isArray(value) && value.length > 0 && value.every((item) => item instanceof Uint8Array)) blobs[name] = value;
      else fields[name] = value;
    }
  }
  return { fields, blobs, assets: assetInputs };
}

/**
 * Runs an attempt on the worker the router picks, moving to another when the first could not even be
 * sent, or (opted in, and before anything was yielded) when its worker was lost while it ran.
 */
async function* placed(
  router: WorkerRouter,
  inputs: NodeInputs,
  run: NodeRun,
  attempt: (on: Attempt) => AsyncGenerator<Record<string, unknown>>,
): AsyncGenerator<Record<string, unknown>> {
  const { metadata, context, options } = run;
  const tried = new Set<PythonBridge>();
  let retried = false;
  for (;;) {
    // With no worker able now (its own was lost), a router that can bring one (a scaled group) is waited for.
    const worker =
      router.forNode(metadata.node_type, tried) ?? (router.waitForNode ? await router.waitForNode(metadata.node_type, tried, context.signal) : null);
    if (!worker)
      throw new Error(`no connected worker offers ${metadata.node_type}${tried.size ? ` (tried ${[...tried].map((b) => b.target).join(', ')})` : ''}`);
    tried.add(worker.bridge);
    context.reportWorker(worker.name);
    let yielded = 0;
    try {
      if (worker !== router.home && options.prepare) await options.prepare(worker, inputs.fields, metadata, context.signal);
      const assets = await placeAssetInputs(inputs.assets, worker.bridge, options.assets);
      for await (const outputs of attempt({
        ...run,
        worker,
        fields: inputs.fields,
        blobs: { ...inputs.blobs, ...assets.blobs },
        assetInputs: assets.fetched,
      })) {
        yielded++;
        yield outputs;
      }
      return;
    } catch (error) {
      // Never sent: nothing ran on that worker, so another may take the node.
      if (error instanceof NotConnectedError && yielded === 0) continue;
      if (error instanceof ConnectionClosedError && !context.signal.aborted) {
        if (options.retryOnWorkerLoss && !retried && yielded === 0) {
          retried = true;
          continue;
        }
        throw new WorkerLostError(worker.name, error, options.retryOnWorkerLoss === true);
      }
      const hinted = error instanceof Error ? missingModelHint(error.message) : null;
      throw hinted ? Object.assign(new Error(hinted, { cause: error }), { name: (error as Error).name }) : error;
    }
  }
}

async function* executeOn(on: Attempt): AsyncGenerator<Record<string, unknown>> {
  const { worker, metadata, context, options } = on;
  const result = await worker.bridge.execute(requestFor(on), { ...liveUpdates(context), blobSink: options.assets?.sinkFor(context.nodeId) });
  // Output names come from the worker: build on a null prototype so "__proto__" is just a key.
  const outputs: Record<string, unknown> = Object.create(null);
  const internal = new Map<string, unknown>();
  for (const [key, blob] of Object.entries(result.blobs)) {
    if ((metadata.outputs ?? []).some((output) => output.name === key) || key === 'output') outputs[key] = blob;
    else internal.set(key, blob);
  }
  for (const [slot, value] of Object.entries(result.outputs)) if (!(slot in outputs)) outputs[slot] = withBlobs(value, internal);
  // Bytes the worker returned inline (a node returning `bytes`) go where blobs go: an asset, not the record.
  const sink = options.assets?.sinkFor(context.nodeId);
  if (sink) for (const [slot, value] of Object.entries(outputs)) outputs[slot] = await keptInline(value, slot, sink);
  yield outputs;
}

/**
 * A streaming node's items, each as the worker's `chunk` carries it: the slots it produced this time
 * (null: nothing on that slot), with its blobs (keyed by slot) kept as each item's own asset.
 */
async function* streamOn(on: Attempt): AsyncGenerator<Record<string, unknown>> {
  const { worker, context, options } = on;
  const sink = options.assets?.sinkFor(context.nodeId);
  let index = 0;
  for await (const chunk of worker.bridge.executeStream(requestFor(on), liveUpdates(context))) {
    const outputs: Record<string, unknown> = Object.create(null);
    for (const [slot, value] of Object.entries(chunk.outputs)) outputs[slot] = value;
    for (const [slot, blob] of Object.entries(chunk.blobs)) outputs[slot] = blob;
    // Most items are text or numbers: only one that holds bytes waits for the sink.
    if (sink) for (const [slot, value] of Object.entries(outputs)) if (holdsBytes(value)) outputs[slot] = await keptInline(value, `${slot}_${index}`, sink);
    index++;
    yield outputs;
  }
}

/** The execute request of a node on a worker: fields, blobs, the secrets it may have, the run's identity (or its keep-alive lease's). */
function requestFor({ worker, metadata, fields, blobs, context, secretPolicy, options, assetInputs }: Attempt): ExecuteRequest {
  const { secrets, withheld } = pickSecrets(metadata.required_settings ?? [], secretPolicy, worker.bridge.confidential);
  for (const { setting, reason } of withheld) context.reportSecretWithheld(setting, reason);
  const placement = options.placement?.(worker, context.nodeId, fields);
  return {
    nodeType: metadata.node_type,
    fields,
    blobs: Object.keys(blobs).length ? blobs : undefined,
    assetInputs,
    secrets: Object.keys(secrets).length ? secrets : undefined,
    nodeId: placement?.nodeId ?? context.nodeId,
    jobId: placement?.jobId ?? context.jobId,
    workflowId: context.workflowId,
    requiresVramGb: metadata.requires_vram_gb,
  };
}

/** The worker's live frames as node events: progress, log lines, and previews (an image model's intermediate steps). */
function liveUpdates(context: NodeContext): Pick<ExecuteOptions, 'signal' | 'onProgress' | 'onUpdate'> {
  return {
    signal: context.signal,
    onProgress: (progress) => context.reportProgress(progress.progress, progress.total),
    onUpdate: (update) => {
      if (update.type === 'log_update' && typeof update['content'] === 'string') {
        context.reportLog(update['content'], typeof update['severity'] === 'string' ? update['severity'] : 'info');
      } else if (update.type === 'preview_update') {
        const preview = previewValue(update['value']);
        if (preview !== undefined) context.reportPreview(preview);
      } else if (update.type === 'binary_update') {
        const preview = previewValue(update['binary']);
        if (preview !== undefined) context.reportPreview(preview, typeof update['output_name'] === 'string' ? update['output_name'] : undefined);
      }
    },
  };
}

/** Whether a Uint8Array sits anywhere in `value` (np_array values aside: they stay as they are). */
function holdsBytes(value: unknown): boolean {
  if (value instanceof Uint8Array) return true;
  if (value === null || typeof value !== 'object' || isNpArray(value)) return false;
  return (Array.isArray(value) ? value : Object.values(value)).some(holdsBytes);
}

/** Every Uint8Array in `value` written through the sink, replaced by what it kept. */
async function keptInline(value: unknown, name: string, sink: BlobSink): Promise<unknown> {
  if (value instanceof Uint8Array) {
    const writer = sink.open(name, value.byteLength);
    writer.write(value);
    return writer.close(createHash('sha256').update(value).digest('hex'));
  }
  if (Array.isArray(value)) return Promise.all(value.map((item, index) => keptInline(item, `${name}_${index}`, sink)));
  if (value === null || typeof value !== 'object' || isNpArray(value)) return value;
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, item] of Object.entries(value)) out[key] = await keptInline(item, `${name}_${key}`, sink);
  return out;
}

/**
 * An image, audio or 3D model the worker's context made arrives as a ref `{uri: "blob://<key>", type}`
 * in the outputs and its bytes under that key (protocol 11.3): the ref becomes the blob's value (the
 * bytes, or the asset they were kept as), wherever it sits. A key nothing refers to is dropped.
 */
function withBlobs(value: unknown, blobs: Map<string, unknown>): unknown {
  if (!blobs.size) return value;
  if (Array.isArray(value)) return value.map((item) => withBlobs(item, blobs));
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  const uri = (value as { uri?: unknown }).uri;
  if (typeof uri === 'string' && uri.startsWith('blob://') && blobs.has(uri.slice(7))) return blobs.get(uri.slice(7));
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, item] of Object.entries(value)) out[key] = withBlobs(item, blobs);
  return out;
}

/** An asset reference (or a list of them) as the bytes it stands for; anything else unchanged. */
async function bytesOfAssets(value: unknown, assets: RunAssets | undefined): Promise<unknown> {
  if (isAssetRef(value)) {
    if (!assets) throw new Error(`the asset ${value.id} was given as an input, and this run has no asset store to read it from`);
    return assets.read(value);
  }
  if (Array.isArray(value) && value.length > 0 && value.every(isAssetRef)) return Promise.all(value.map((ref) => bytesOfAssets(ref, assets)));
  return value;
}

/** The worker's ref type for a media type: how its nodes' ImageRef, AudioRef and VideoRef fields read it. */
function refTypeOf(contentType: string): string {
  const family = contentType.split('/')[0];
  return family === 'image' || family === 'audio' || family === 'video' ? family : 'asset';
}

/**
 * Where each asset input goes for this worker: a worker with our offload extension fetches a large one
 * itself from a presigned URL of the bucket (its bytes never cross the link, and the worker checks
 * them); otherwise it goes as the blob it stands for.
 */
async function placeAssetInputs(
  inputs: Record<string, AssetRef>,
  bridge: PythonBridge,
  assets: RunAssets | undefined,
): Promise<{ blobs: Record<string, Uint8Array>; fetched: Record<string, AssetInput> }> {
  const blobs: Record<string, Uint8Array> = {};
  const fetched: Record<string, AssetInput> = {};
  for (const [name, ref] of Object.entries(inputs)) {
    const url = bridge.capabilities().assetOffload ? await assets?.inputUrl?.(ref) : null;
    if (url) fetched[name] = { url, type: refTypeOf(ref.content_type), size: ref.size, sha256: ref.id };
    else blobs[name] = (await bytesOfAssets(ref, assets)) as Uint8Array;
  }
  return { blobs, fetched };
}
