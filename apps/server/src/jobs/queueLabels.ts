import { isBuiltinType, type Graph, type Workflow } from '@nt/runtime';

/** What a waiting run needs, as the labels of nodetool_runs_queued: an autoscaler (KEDA) scales the workers that match. */
export interface QueueLabels {
  /** The namespace of its first Python node type (named so, not `namespace`, which Kubernetes' Prometheus sets on every target) (`huggingface`), `none` for a run of built-in nodes only. */
  node_namespace: string;
  /** The worker group it waits for (a scaled group, or the one it names), `none` otherwise. */
  group: string;
  /** The smallest usual GPU memory size (GB) at or above what its workflow says it needs, `any` when it says nothing. */
  vram: string;
}

// Bounded label values: GPU memory sizes as GPUs come (a run asking for 20 GB counts under 24).
const VRAM_SIZES = [8, 12, 16, 24, 32, 40, 48, 80, 96, 141, 192];

export function queueLabelsOf(workflow: Workflow, graph: Graph, group: string | undefined): QueueLabels {
  const python = graph.nodes.find((node) => !isBuiltinType(node.type));
  const vram = workflow.minVramGb === undefined ? 'any' : String(VRAM_SIZES.find((size) => size >= (workflow.minVramGb as number)) ?? 'more');
  return { node_namespace: python ? (python.type.split('.')[0] as string) : 'none', group: group ?? 'none', vram };
}
