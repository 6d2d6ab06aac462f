import { compact, type ExecuteData } from '@nt/protocol';
import type { ExecuteRequest } from '../pythonBridge.js';

/** An execute in the caller's terms, mapped to the wire keys; optional keys are left out, never null. */
export function toExecuteData(request: ExecuteRequest): ExecuteData {
  return compact({
    node_type: request.nodeType,
    fields: request.fields ?? {},
    secrets: request.secrets,
    blobs: request.blobs,
    asset_inputs: request.assetInputs && Object.keys(request.assetInputs).length ? request.assetInputs : undefined,
    node_id: request.nodeId || undefined,
    job_id: request.jobId || undefined,
    workflow_id: request.workflowId || undefined,
    user_id: request.userId || undefined,
    requires_vram_gb: request.requiresVramGb && request.requiresVramGb > 0 ? request.requiresVramGb : undefined,
  });
}
