import type { PythonBridge } from '@nt/bridge';
import type { NodeMetadata } from '@nt/protocol';
import type { ExecutePlacement } from './models/keepAliveRun.js';
import { missingModelHint } from './models/missingModelHint.js';
import type { NodeExecutor } from './nodeExecutor.js';
import { pickSecrets, secretPolicyFromEnv, type SecretPolicy } from './workerSecrets.js';

export interface PythonNodeExecutorOptions {
  /** Which settings the node may receive; default from NODETOOL_WORKER_SECRETS. */
  secretPolicy?: SecretPolicy;
  /** The keep-alive's placement of an execute (a lease's job and node ids); null keeps the run's own. */
  placement?: (nodeId: string, fields: Record<string, unknown>) => ExecutePlacement | null;
}

/**
 * Maps a graph node onto `execute` calls: binary values travel as blobs,
 * the rest as fields; the run identity keys ride along; progress frames
 * become node progress. Result blobs keyed by a slot name become that slot.
 */
export function resolvePythonNodeExecutor(bridge: PythonBridge, metadata: NodeMetadata, options: PythonNodeExecutorOptions = {}): NodeExecutor {
  const secretPolicy = options.secretPolicy ?? secretPolicyFromEnv();
  return {
    async run(values, context) {
      const fields: Record<string, unknown> = {};
      const blobs: Record<string, Uint8Array | Uint8Array[]> = {};
      for (const [name, value] of Object.entries(values)) {
        if (value instanceof Uint8Array) blobs[name] = value;
        else if (Array.isArray(value) && value.length > 0 && value.every((item) => item instanceof Uint8Array)) blobs[name] = value;
        else if (value !== undefined) fields[name] = value;
      }
      const { secrets, withheld } = pickSecrets(metadata.required_settings ?? [], secretPolicy, bridge.confidential);
      for (const { setting, reason } of withheld) context.reportSecretWithheld(setting, reason);
      const placement = options.placement?.(context.nodeId, fields);
      const result = await bridge
        .execute(
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
        )
        .catch((error: unknown) => {
          const hinted = error instanceof Error ? missingModelHint(error.message) : null;
          throw hinted ? Object.assign(new Error(hinted, { cause: error }), { name: (error as Error).name }) : error;
        });
      // Output names come from the worker: build on a null prototype so "__proto__" is just a key.
      const outputs: Record<string, unknown> = Object.create(null);
      for (const [slot, value] of Object.entries(result.outputs)) outputs[slot] = value;
      for (const [key, bytes] of Object.entries(result.blobs)) {
        if ((metadata.outputs ?? []).some((output) => output.name === key) || key === 'output') outputs[key] = bytes;
      }
      return outputs;
    },
  };
}
