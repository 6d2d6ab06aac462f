import type { WorkflowInput, WorkflowInterface, WorkflowOutput } from '@nt/api-contract';
import { BUILTIN_NODES } from '../builtins/index.js';
import type { Graph } from '../graph.js';
import { mediaSourceOf, mediaTypeOf } from '../media/mediaValue.js';
import { sinkName } from '../sinkName.js';

/**
 * A workflow's inputs (its input nodes, by the name a run's params give them) and its outputs (its
 * Output and Preview nodes, by the name their values have in a run's result): what a form, a CLI
 * or another program needs to run it. Read from the graph alone, so it needs no worker.
 */
export function workflowInterface(graph: Graph): WorkflowInterface {
  const inputs: WorkflowInput[] = [];
  const outputs: WorkflowOutput[] = [];
  for (const node of graph.nodes) {
    const builtin = BUILTIN_NODES.get(node.type);
    if (!builtin) continue;
    if (builtin.isSink) {
      outputs.push({ name: sinkName(node), node_id: node.id, node_type: node.type });
      continue;
    }
    if (!node.type.startsWith('nodetool.input.')) continue;
    const property = (name: string) => builtin.metadata.properties?.find((entry) => entry.name === name);
    const type = property('value')?.type.type ?? 'any';
    const saved = 'value' in node.data ? node.data['value'] : property('value')?.default;
    const media = mediaTypeOf(type);
    const unreadable = media ? (media.list ? !Array.isArray(saved) || saved.length === 0 || saved.some(unusable) : unusable(saved)) : false;
    const input: WorkflowInput = {
      name: typeof node.data['name'] === 'string' && node.data['name'] ? node.data['name'] : node.id,
      node_id: node.id,
      node_type: node.type,
      type,
      description: typeof node.data['description'] === 'string' ? node.data['description'] : '',
      required: unreadable,
    };
    if (!unreadable && saved !== undefined) input.default = saved;
    for (const bound of ['min', 'max'] as const) {
      const value = node.data[bound] ?? property(bound)?.default;
      if (typeof value === 'number') input[bound] = value;
    }
    const options = node.data['options'];
    if (Array.isArray(options) && options.every((option) => typeof option === 'string')) input.options = options;
    inputs.push(input);
  }
  return { inputs, outputs };
}

const unusable = (value: unknown) => {
  const kind = mediaSourceOf(value).kind;
  return kind === 'empty' || kind === 'refused';
};
