import { ConnectionClosedError, NotConnectedError, type PythonBridge } from '@nt/bridge';
import type { NodeMetadata } from '@nt/protocol';
import { WorkerLostError } from './errors.js';
import type { ExecutePlacement } from './models/keepAliveRun.js';
import { missingModelHint } from './models/missingModelHint.js';
import type { NodeContext, NodeExecutor } from './nodeExecutor.js';
import { singleWorker, type WorkerHandle, type WorkerRouter } from './workerRouter.js';
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
}

/**
 * Maps a graph node onto `execute` calls: binary values travel as blobs, the rest as fields; the run
 * identity keys ride along; progress frames become node progress. Result blobs keyed by a slot name
 * become that slot. The worker is chosen when the node starts (see WorkerRouter): a node that could
 * not even be sent (its worker is down) goes to another worker; one whose worker was lost while it ran
 * fails naming the worker, unless the run opted into running it again.
 */
export function resolvePythonNodeExecutor(workers: WorkerRouter | PythonBridge, metadata: NodeMetadata, options: PythonNodeExecutorOptions = {}): NodeExecutor {
  const router = 'forNode' in workers ? workers : singleWorker(workers);
  const secretPolicy = options.secretPolicy ?? secretPolicyFromEnv();
  return {
    plannedWorker: () => router.forNode(metadata.node_type)?.name,
    async run(values, context) {
      const fields: Record<string, unknown> = {};
      const blobs: Record<string, Uint8Array | Uint8Array[]> = {};
      for (const [name, value] of Object.entries(values)) {
        if (value instanceof Uint8Array) blobs[name] = value;
        else if (Array.isArray(value) && value.length > 0 && value.every((item) => item instanceof Uint8Array)) blobs[name] = value;
        else if (value !== undefined) fields[name] = value;
      }
      const tried = new Set<PythonBridge>();
      let retried = false;
      for (;;) {
        const worker = router.forNode(metadata.node_type, tried);
        if (!worker)
          throw new Error(`no connected worker offers ${metadata.node_type}${tried.size ? ` (tried ${[...tried].map((b) => b.target).join(', ')})` : ''}`);
        tried.add(worker.bridge);
        context.reportWorker(worker.name);
        try {
          if (worker !== router.home && options.prepare) await options.prepare(worker, fields, metadata, context.signal);
          return await executeOn(worker, metadata, fields, blobs, context, secretPolicy, options);
        } catch (error) {
          // Never sent: nothing ran on that worker, so another may take the node.
          if (error instanceof NotConnectedError) continue;
          if (error instanceof ConnectionClosedError && !context.signal.aborted) {
            if (options.retryOnWorkerLoss && !retried) {
              retried = true;
              continue;
            }
            throw new WorkerLostError(worker.name, error, options.retryOnWorkerLoss === true);
          }
          const hinted = error instanceof Error ? missingModelHint(error.message) : null;
          throw hinted ? Object.assign(new Error(hinted, { cause: error }), { name: (error as Error).name }) : error;
        }
      }
    },
  };
}

async function executeOn(
  worker: WorkerHandle,
  metadata: NodeMetadata,
  fields: Record<string, unknown>,
  blobs: Record<string, Uint8Array | Uint8Array[]>,
  context: NodeContext,
  secretPolicy: SecretPolicy,
  options: PythonNodeExecutorOptions,
): Promise<Record<string, unknown>> {
  const { bridge } = worker;
  const { secrets, withheld } = pickSecrets(metadata.required_settings ?? [], secretPolicy, bridge.confidential);
  for (const { setting, reason } of withheld) context.reportSecretWithheld(setting, reason);
  const placement = options.placement?.(worker, context.nodeId, fields);
  const result = await bridge.execute(
    {
      nodeType: metadata.node_type,
      fields,
      blobs: Object.keys(blobs).length ? blobs : undefined,
      secrets: Object.keys(secrets).length ? secrets : undefined,
      nodeId: placement?.nodeId ?? context.nodeId,
      jobId: placement?.jobId ?? context.jobId,
      workflowId: context.workflowId,
      requiresVramGb: metadata.requires_vram_gb,
    },
    {
      signal: context.signal,
      onProgress: (progress) => context.reportProgress(progress.progress, progress.total),
      // Of the worker's live updates, log lines are worth passing on; previews duplicate the result.
      onUpdate: (update) => {
        if (update.type === 'log_update' && typeof update['content'] === 'string') {
          context.reportLog(update['content'], typeof update['severity'] === 'string' ? update['severity'] : 'info');
        }
      },
    },
  );
  // Output names come from the worker: build on a null prototype so "__proto__" is just a key.
  const outputs: Record<string, unknown> = Object.create(null);
  for (const [slot, value] of Object.entries(result.outputs)) outputs[slot] = value;
  for (const [key, bytes] of Object.entries(result.blobs)) {
    if ((metadata.outputs ?? []).some((output) => output.name === key) || key === 'output') outputs[key] = bytes;
  }
  return outputs;
}
